import { ImportFileError } from './import-error.js';
import { RECORD_TYPES, envelopeKeys, type RecordType } from './record-types.js';
import type { SourceRecord } from './records.js';

/**
 * The records of a whole JSON document: an array, or an envelope as Kalshi's API and ours answer
 * with (`{"markets": […], "cursor": "…"}`, `{"events": […]}`, `{"series": {…}}`). The envelope's
 * key tells the record type when none is given. API responses are pages of a few thousand objects
 * at most, which is why such a document is parsed whole rather than streamed.
 */
export function documentRecords(
  doc: unknown,
  recordType: RecordType | undefined,
  file: string,
): { type: RecordType; records: SourceRecord[] } {
  if (Array.isArray(doc)) {
    if (!recordType)
      throw new ImportFileError(file, `cannot tell which type of records this array holds; ${TYPES_HINT}`);
    return { type: recordType, records: doc.map((value, i) => ({ where: `[${i}]`, value })) };
  }
  if (doc === null || typeof doc !== 'object') {
    throw new ImportFileError(file, 'expected an array of records or an object holding them');
  }
  const envelope = doc as Record<string, unknown>;
  const recordTypes = recordType
    ? [recordType]
    : RECORD_TYPES.filter((k) => envelopeKeys(k).some((key) => key in envelope));
  const [only] = recordTypes;
  if (recordTypes.length !== 1 || only === undefined) {
    const found = recordTypes.length
      ? `it holds ${recordTypes.join(' and ')}`
      : 'it holds none of series, events, markets, users, interactions';
    throw new ImportFileError(file, `cannot tell which records to import: ${found}; ${TYPES_HINT}`);
  }
  const key = envelopeKeys(only).find((k) => k in envelope);
  if (key === undefined)
    throw new ImportFileError(file, `no "${envelopeKeys(only).join('" or "')}" in this document`);
  const held = envelope[key];
  if (held === null || held === undefined) return { type: only, records: [] };
  const records = Array.isArray(held)
    ? held.map((value, i) => ({ where: `${key}[${i}]`, value }))
    : [{ where: key, value: held }];
  return { type: only, records };
}

const TYPES_HINT = 'name the type (series, events, markets, users or interactions)';
