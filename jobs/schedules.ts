import cronParser from 'cron-parser';
import type { Config } from '../src/config/env.js';
import type { JobName } from './job-types.js';

export interface Schedule {
  /** Stable id: two workers upserting the same schedule keep one. */
  id: string;
  job: JobName;
  /** Cron pattern, UTC. */
  pattern: string;
}

/** The configured schedules (see SIBYL_SCHEDULE_* in src/config/env.ts). */
export function schedulesFrom(config: Config): Schedule[] {
  return [
    { id: 'refresh-features', job: 'refresh-features', pattern: config.SIBYL_SCHEDULE_REFRESH },
    { id: 'nightly', job: 'nightly', pattern: config.SIBYL_SCHEDULE_NIGHTLY },
    { id: 'sync-markets', job: 'sync-markets', pattern: config.SIBYL_SCHEDULE_MARKET_SYNC },
  ];
}

export function nextRun(pattern: string, after = new Date()): Date {
  return cronParser.parseExpression(pattern, { tz: 'UTC', currentDate: after }).next().toDate();
}
