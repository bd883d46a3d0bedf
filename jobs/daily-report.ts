import { UnrecoverableError } from 'bullmq';
import { loadConfig } from '../src/config/env.js';
import { SibylError } from '../src/errors.js';
import {
  outcomeOf,
  runDailyReport,
  runRecentReports,
  UnreconciledReportError,
  type DayOutcome,
} from '../src/reports/run-daily-report.js';
import type { Config } from '../src/config/env.js';
import type { Logger } from '../src/log/logger.js';
import type { Store } from '../src/store/types.js';

/**
 * The `daily-report` job. A day that has not ended, or does not tie out, fails for good: a retry
 * would read the same events and reach the same answer (the unreconciled report is stored and
 * logged at error level by the run).
 */
export async function dailyReport(
  deps: { store: Store; logger: Logger; config?: Config },
  now: Date,
  date?: string,
): Promise<{ days: DayOutcome[] }> {
  const config = deps.config ?? loadConfig({});
  const options = {
    timeZone: config.REPORT_TIMEZONE,
    cutoff: config.REPORT_CUTOFF,
    settings: {
      windowHours: config.ATTRIBUTION_WINDOW_HOURS,
      clickThroughOnly: config.ATTRIBUTION_CLICK_THROUGH_ONLY,
    },
    now,
    logger: deps.logger,
  };
  try {
    if (date) return { days: [outcomeOf(await runDailyReport(deps.store, { ...options, date }))] };
    return { days: await runRecentReports(deps.store, options) };
  } catch (err) {
    if (
      err instanceof UnreconciledReportError ||
      (err instanceof SibylError && err.code === 'invalid_request')
    )
      throw new UnrecoverableError(err.message);
    throw err;
  }
}
