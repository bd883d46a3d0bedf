import type { Config } from '../config/env.js';
import type { FieldIssue } from '../errors.js';
import type { InteractionInput } from '../domain/schemas.js';
import { itemPath } from './batch.js';

/** How far before and after the server's now an interaction may be stamped. */
export interface TimestampWindow {
  maxAgeMs: number;
  maxAheadMs: number;
}

export function timestampWindow(
  config: Pick<Config, 'INGEST_TS_MAX_AGE_DAYS' | 'INGEST_TS_MAX_AHEAD_SECONDS'>,
): TimestampWindow {
  return {
    maxAgeMs: config.INGEST_TS_MAX_AGE_DAYS * 86_400_000,
    maxAheadMs: config.INGEST_TS_MAX_AHEAD_SECONDS * 1000,
  };
}

/**
 * Issues for interactions stamped implausibly far from now (year 9999, year 1, a clock years
 * ahead): stored, they would poison decayed features and every time window that reads them.
 */
export function outsideWindow(
  items: { index: number; value: Pick<InteractionInput, 'ts'> }[],
  window: TimestampWindow,
  now: Date,
  name = 'interactions',
): FieldIssue[] {
  const from = new Date(now.getTime() - window.maxAgeMs);
  const to = new Date(now.getTime() + window.maxAheadMs);
  return items
    .filter(({ value }) => value.ts < from || value.ts > to)
    .map(({ index }) => ({
      index,
      path: itemPath(name, index, ['ts']),
      message: `must be between ${from.toISOString()} and ${to.toISOString()} (INGEST_TS_MAX_AGE_DAYS, INGEST_TS_MAX_AHEAD_SECONDS)`,
    }));
}
