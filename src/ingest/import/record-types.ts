import { basename } from 'node:path';

/**
 * What an import file holds, in the order a directory is imported: each kind may refer to the
 * kinds before it (events to series, markets to events, interactions to markets and users).
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
 * The kind a file name announces, as a word of it in plural or singular: `markets.jsonl`,
 * `kalshi-markets.json`, `interactions-2026-05.csv`. Undefined when it names none or several.
 */
export function recordTypeFromFileName(path: string): RecordType | undefined {
  const words = new Set(
    basename(path)
      .toLowerCase()
      .split(/[^a-z]+/),
  );
  const named = RECORD_TYPES.filter((kind) => words.has(kind) || words.has(SINGULAR[kind]));
  return named.length === 1 ? named[0] : undefined;
}

/** Keys under which a JSON document may hold records of `kind`: Kalshi's and our API's envelopes. */
export function envelopeKeys(kind: RecordType): string[] {
  return kind === SINGULAR[kind] ? [kind] : [kind, SINGULAR[kind]];
}

/** Stable sort into dependency order, so that references resolve whatever order files were named in. */
export function inDependencyOrder<T extends { kind: RecordType }>(files: T[]): T[] {
  return [...files].sort((a, b) => RECORD_TYPES.indexOf(a.kind) - RECORD_TYPES.indexOf(b.kind));
}
