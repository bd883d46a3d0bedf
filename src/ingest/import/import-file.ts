import type { FieldIssue } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { itemPath, parseBatch } from '../batch.js';
import { openSource, resolveSource, type ImportSource } from './import-source.js';
import { titlesFromEvents } from './event-titles.js';
import { fromKalshi, isKalshiShaped } from './kalshi.js';
import { RECORD_SPECS, type WriteCounts } from './record-specs.js';
import type { RecordType } from './record-types.js';
import type { SourceRecord } from './records.js';

export interface ImportOptions {
  /** What the file holds. @defaultValue from the file's name, else a JSON document's envelope */
  type?: RecordType;
  /** Records validated and written together; bounds memory on files of millions of rows. @defaultValue 5000 */
  batchSize?: number;
  /** Issues kept in the result; the rest are only counted. @defaultValue 20 */
  maxIssues?: number;
  /** Called after every batch. */
  onProgress?: (progress: ImportProgress) => void;
  /** Stops once the batch in flight is written; the result then says `aborted`. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  file: string;
  type: RecordType;
  read: number;
  bytesRead: number;
  totalBytes: number;
}

/** One problem with one record: `line 17`, `type`, `Invalid option: …`. */
export interface ImportIssue {
  where: string;
  /** The field as named in the file (Kalshi's name for a Kalshi object); absent for the record as a whole. */
  field?: string;
  message: string;
}

export interface ImportResult {
  file: string;
  type: RecordType;
  /** Records read; every one ends up inserted, updated, a duplicate or rejected. */
  read: number;
  inserted: number;
  updated: number;
  duplicates: number;
  rejected: number;
  /** The first `maxIssues` issues, in file order. */
  issues: ImportIssue[];
  /** All issues found (a rejected record may have several). */
  issueCount: number;
  aborted: boolean;
}

/**
 * Streams a JSONL, CSV or JSON file into the store in batches. Every record is validated with the
 * API's schemas (Kalshi objects are mapped first); bad records are skipped and reported with where
 * they are, good ones written with the API's writers. Catalogue records are upserted by ticker and
 * interactions stored once per eventId, so importing a file again stores nothing twice. Each
 * document is written whole, never before its record validated.
 */
export async function importFile(
  store: Store,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return importSource(store, await resolveSource(path, options.type), options);
}

/** `importFile` for a file already resolved (see `planImport`). */
export async function importSource(
  store: Store,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { batchSize = 5000, maxIssues = 20, onProgress, signal } = options;
  const result: ImportResult = {
    file: source.path,
    type: source.type,
    read: 0,
    inserted: 0,
    updated: 0,
    duplicates: 0,
    rejected: 0,
    issues: [],
    issueCount: 0,
    aborted: false,
  };
  const opened = openSource(source);
  const progress = () =>
    onProgress?.({
      file: source.path,
      type: source.type,
      read: result.read,
      bytesRead: opened.bytesRead(),
      totalBytes: source.bytes,
    });
  const flush = async (batch: SourceRecord[]) => {
    const { counts, rejected } = await importBatch(store, source.type, batch);
    result.read += batch.length;
    result.inserted += counts.inserted;
    result.updated += counts.updated;
    result.duplicates += counts.duplicates;
    for (const issues of rejected) {
      result.rejected++;
      result.issueCount += issues.length;
      result.issues.push(...issues.slice(0, maxIssues - result.issues.length));
    }
    progress();
  };

  let batch: SourceRecord[] = [];
  for await (const record of opened.records) {
    batch.push(record);
    if (batch.length < batchSize) continue;
    await flush(batch);
    batch = [];
    if (signal?.aborted) {
      result.aborted = true;
      break;
    }
  }
  if (!result.aborted && batch.length) await flush(batch);
  if (result.read === 0) progress();
  return result;
}

/** Validates a batch, writes its good records and returns the issues of the others, in file order. */
async function importBatch(
  store: Store,
  recordType: RecordType,
  batch: SourceRecord[],
): Promise<{ counts: WriteCounts; rejected: ImportIssue[][] }> {
  const spec = RECORD_SPECS[recordType];
  const problems = new Map<number, ImportIssue[]>();
  const items: unknown[] = [];
  /** Indexes in `items` of Kalshi objects (whose markets may take their event's title). */
  const kalshiItems: number[] = [];
  /** Per item: its record's position in the batch, and the file's names for its fields. */
  const origins: { position: number; sourceFields?: Record<string, string> }[] = [];
  batch.forEach((record, position) => {
    if ('error' in record) {
      problems.set(position, [{ where: record.where, message: record.error }]);
    } else if (isKalshiShaped(recordType, record.value)) {
      const mapped = fromKalshi(recordType, record.value);
      kalshiItems.push(items.length);
      items.push(mapped.value);
      origins.push({ position, sourceFields: mapped.sourceFields });
    } else {
      items.push(record.value);
      origins.push({ position });
    }
  });

  const titleIssues =
    recordType === 'markets'
      ? await titlesFromEvents(
          store,
          kalshiItems.map((index) => ({ index, value: items[index] as Record<string, unknown> })),
        )
      : [];
  const parsed = parseBatch(spec.schema, items, recordType);
  const { valid } = parsed;
  // A missing title already explained by titlesFromEvents is not reported twice.
  const explained = new Set(titleIssues.map((i) => i.path));
  const issues = [...titleIssues, ...parsed.issues.filter((i) => !explained.has(i.path))];
  if (spec.checkReferences) issues.push(...(await spec.checkReferences(store, valid, recordType)));
  for (const issue of issues) {
    const origin = origins[issue.index ?? -1];
    if (!origin) throw new Error(`issue without an item: ${issue.path}`);
    const list = problems.get(origin.position) ?? [];
    list.push({
      where: batch[origin.position]!.where,
      ...fieldAndMessage(issue, recordType, origin.sourceFields),
    });
    problems.set(origin.position, list);
  }

  const rejectedItems = new Set(issues.map((i) => i.index));
  const good = valid.filter((v) => !rejectedItems.has(v.index)).map((v) => v.value);
  const counts = good.length ? await spec.write(store, good) : { inserted: 0, updated: 0, duplicates: 0 };
  const rejected = [...problems.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
  return { counts, rejected };
}

/** `markets[3].closeTime` → `closeTime`, or `close_time` when the record was Kalshi's. */
function fieldAndMessage(
  issue: FieldIssue,
  recordType: RecordType,
  sourceFields: Record<string, string> | undefined,
): { field?: string; message: string } {
  const prefix = itemPath(recordType, issue.index ?? 0);
  const path = issue.path.startsWith(prefix)
    ? issue.path.slice(prefix.length).replace(/^\./, '')
    : issue.path;
  if (path === '') return { message: issue.message };
  const head = /^[^.[]+/.exec(path)?.[0] ?? path;
  return { field: (sourceFields?.[head] ?? head) + path.slice(head.length), message: issue.message };
}
