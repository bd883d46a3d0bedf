import { SibylError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { buildReport } from './build-report.js';
import { saveReport, type DailyReportDoc } from './daily-reports.js';
import { loadDay, storeTotals } from './load-day.js';
import { isCalendarDate, lastEndedDay, reportDay, shiftDate } from './report-day.js';
import type { AttributionSettings } from './report-types.js';
import { tieOut } from './tie-out.js';

export interface DailyReportOptions {
  /** The day, YYYY-MM-DD in `timeZone`. */
  date: string;
  timeZone: string;
  /** Where days are cut, HH:MM in `timeZone`. */
  cutoff: string;
  settings: AttributionSettings;
  now: Date;
  logger?: Logger;
}

/** The report of a day did not tie out: it is stored (status `unreconciled`) and the run fails. */
export class UnreconciledReportError extends Error {
  override name = 'UnreconciledReportError';
  constructor(readonly report: DailyReportDoc) {
    super(
      `daily report ${report.date} v${report.version} does not tie out: ${report.tieOut.breaks
        .map((b) => `${b.measure} ${b.attributedPlusOrganic} ≠ ${b.total}`)
        .join('; ')}`,
    );
  }
}

/**
 * Builds the report of a day that has ended from what has been received so far, checks its
 * tie-out against the store's own totals, and stores it: version 1, a restatement if the figures
 * moved since the latest version, or nothing new if they did not (so a rerun is harmless).
 */
export async function runDailyReport(
  store: Store,
  o: DailyReportOptions,
): Promise<{ report: DailyReportDoc; created: boolean; timings: ReportTimings }> {
  if (!isCalendarDate(o.date)) {
    throw new SibylError('invalid_request', `not a date: ${o.date}`, [
      { path: 'date', message: 'expected YYYY-MM-DD' },
    ]);
  }
  const day = reportDay(o.date, o.timeZone, o.cutoff);
  if (day.end > o.now) {
    throw new SibylError(
      'invalid_request',
      `${o.date} has not ended yet (it ends at ${day.end.toISOString()})`,
      [{ path: 'date', message: 'the day has not ended' }],
    );
  }
  const asOf = o.now;
  const started = performance.now();
  const since = (t: number) => Math.round(performance.now() - t);
  const timed = async <T>(p: Promise<T>): Promise<[T, number]> => [await p, since(started)];
  // The store's totals run on its read replica while the day's events stream to this process.
  const [[{ events, categories }, loadMs], [reference, totalsMs]] = await Promise.all([
    timed(loadDay(store, day, o.settings.windowHours, asOf)),
    timed(storeTotals(store, day, asOf)),
  ]);
  const building = performance.now();
  const body = buildReport(day, events, categories, o.settings);
  const check = tieOut(body, reference);
  const buildMs = since(building);
  const saving = performance.now();
  const saved = await saveReport(
    store,
    {
      ...body,
      date: o.date,
      status: check.reconciled ? 'reconciled' : 'unreconciled',
      tieOut: check,
      day: { start: day.start, end: day.end, timeZone: o.timeZone, cutoff: o.cutoff },
      settings: o.settings,
      asOf,
    },
    o.now,
  );
  const timings = { loadMs, totalsMs, buildMs, saveMs: since(saving), events: events.length };
  o.logger?.info(
    { date: o.date, version: saved.report.version, created: saved.created, ...timings },
    'daily report',
  );
  if (saved.report.status === 'unreconciled') {
    o.logger?.error(
      { date: o.date, version: saved.report.version, breaks: saved.report.tieOut.breaks },
      'daily report does not tie out',
    );
    throw new UnreconciledReportError(saved.report);
  }
  return { ...saved, timings };
}

/** Where a run's time went: loading the day's events, the store's own totals (concurrently), building, storing. */
export interface ReportTimings {
  loadMs: number;
  totalsMs: number;
  buildMs: number;
  saveMs: number;
  /** Events read (the day's impressions, clicks and trades, and the window's exposures before it). */
  events: number;
}

/** What a run reports of each day it built. */
export interface DayOutcome {
  date: string;
  version: number;
  /** False when the figures had not moved since the stored version. */
  created: boolean;
  trades: number;
  attributedTrades: number;
  exceptions: number;
  timings: ReportTimings;
}

export function outcomeOf({
  report,
  created,
  timings,
}: {
  report: DailyReportDoc;
  created: boolean;
  timings: ReportTimings;
}): DayOutcome {
  return {
    timings,
    date: report.date,
    version: report.version,
    created,
    trades: report.total.trades,
    attributedTrades: report.attributed.trades,
    exceptions: Object.values(report.exceptions.counts).reduce((s, n) => s + n, 0),
  };
}

/**
 * The nightly run: the last day that has ended, and the day before it again, so that events that
 * arrived a day late restate it (nothing new is stored when its figures have not moved).
 */
export async function runRecentReports(
  store: Store,
  o: Omit<DailyReportOptions, 'date'>,
): Promise<DayOutcome[]> {
  const last = lastEndedDay(o.now, o.timeZone, o.cutoff).date;
  const out: DayOutcome[] = [];
  for (const date of [shiftDate(last, -1), last])
    out.push(outcomeOf(await runDailyReport(store, { ...o, date })));
  return out;
}
