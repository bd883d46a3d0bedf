import { basename } from 'node:path';

/**
 * What an import file holds, in the order a directory is imported: each record type may refer to
 * the types before it (events to series, markets to events, interactions to markets and users).
 */
export const RECORD_TYPES = ['series', 'events', 'markets', 'users', 'interactions'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const SINGULAR: Record<RecordType, string> = {
  series: 'series',
  events: 'event',
  markets: 'market',
  users: 'user',
  interactions: 'interaction',
};

export function isRecordType(value: string): value is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(value);
}

/**
 * The record type a file name announces, as a word of it in plural or singular: `markets.jsonl`,
 * `kalshi-markets.json`, `interactions-2026-05.csv`. Undefined when it names none or several.
 */
export function recordTypeFromFileName(path: string): RecordType | undefined {
  const words = new Set(
    basename(path)
      .toLowerCase()
      .split(/[^a-z]+/),
  );
  const named = RECORD_TYPES.filter((recordType) => words.has(recordType) || words.has(SINGULAR[recordType]));
  return named.length === 1 ? named[0] : undefined;
}

/** Keys under which a JSON document may hold records of `recordType`: Kalshi's and our API's envelopes. */
export function envelopeKeys(recordType: RecordType): string[] {
  return recordType === SINGULAR[recordType] ? [recordType] : [recordType, SINGULAR[recordType]];
}

/** Stable sort into dependency order, so that references resolve whatever order files were named in. */
export function inDependencyOrder<T extends { type: RecordType }>(files: T[]): T[] {
  return [...files].sort((a, b) => RECORD_TYPES.indexOf(a.type) - RECORD_TYPES.indexOf(b.type));
}
