import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { csvRecords } from './csv-records.js';
import { ImportFileError } from './import-error.js';
import { documentRecords } from './json-document.js';
import { recordTypeFromFileName, type RecordType } from './record-types.js';
import { jsonlRecords, stripBom, type SourceRecord } from './records.js';

export type FileFormat = 'jsonl' | 'csv' | 'json';

const FORMATS: Record<string, FileFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.json': 'json',
};

/** A file ready to import: it exists, and its format and record type are settled. */
export interface ImportSource {
  path: string;
  format: FileFormat;
  type: RecordType;
  bytes: number;
}

export interface OpenedSource {
  records: AsyncIterable<SourceRecord>;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead(): number;
}

/**
 * Settles a file's format (from its extension) and record type: the one given, else the one its name
 * announces, else, for a JSON document, the key of its envelope. Throws an ImportFileError naming
 * what is missing, before anything is written.
 */
export async function resolveSource(path: string, recordType?: RecordType): Promise<ImportSource> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format)
    throw new ImportFileError(path, 'unsupported file type; expected .jsonl, .ndjson, .csv or .json');
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ImportFileError(path, err.code === 'ENOENT' ? 'no such file' : err.message);
  });
  if (!info.isFile()) throw new ImportFileError(path, 'not a file');
  const settled =
    recordType ??
    recordTypeFromFileName(path) ??
    (format === 'json' ? (await readDocument(path)).type : undefined);
  if (!settled) {
    throw new ImportFileError(
      path,
      'cannot tell which type of records it holds from its name; name the type (series, events, markets, users or interactions)',
    );
  }
  return { path, format, type: settled, bytes: info.size };
}

export function openSource(source: ImportSource): OpenedSource {
  if (source.format === 'json') {
    let done = false;
    return {
      records: (async function* () {
        yield* (await readDocument(source.path, source.type)).records;
        done = true;
      })(),
      bytesRead: () => (done ? source.bytes : 0),
    };
  }
  const stream = createReadStream(source.path);
  if (source.format === 'jsonl') {
    return { records: jsonlRecords(stream.setEncoding('utf8')), bytesRead: () => stream.bytesRead };
  }
  return {
    records: csvRecords(stream.setEncoding('utf8'), source.type, source.path),
    bytesRead: () => stream.bytesRead,
  };
}

async function readDocument(
  path: string,
  recordType?: RecordType,
): Promise<{ type: RecordType; records: SourceRecord[] }> {
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(await readFile(path, 'utf8')));
  } catch (err) {
    throw new ImportFileError(path, `invalid JSON: ${(err as Error).message}`);
  }
  return documentRecords(doc, recordType, path);
}
