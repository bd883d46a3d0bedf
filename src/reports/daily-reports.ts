import { isDeepStrictEqual } from 'node:util';
import { coll } from '../store/collections.js';
import type { Collection, Store } from '../store/types.js';
import { isDuplicateKeyError } from '../store/write-errors.js';
import type { ReportBody } from './build-report.js';
import type { AttributionSettings } from './report-types.js';
import { reportChanges, type ReportChanges } from './restatement.js';
import type { TieOut } from './tie-out.js';

/** A daily report as stored in `daily_reports` (this module is its one writer). Never updated. */
export interface DailyReportDoc extends ReportBody {
  /** `<date>/v<version>`. */
  _id: string;
  date: string;
  /** 1 for the first report of the day; each restatement adds one. */
  version: number;
  status: 'reconciled' | 'unreconciled';
  tieOut: TieOut;
  /** The day's bounds and how they were cut. */
  day: { start: Date; end: Date; timeZone: string; cutoff: string };
  settings: AttributionSettings;
  /** Events received up to this instant are in the report. */
  asOf: Date;
  createdAt: Date;
  /**
   * For a restatement: the version it restates and what changed since; `basis` when the day was cut
   * or attributed differently (REPORT_* or ATTRIBUTION_* changed), else null.
   */
  restates: { version: number; changes: ReportChanges; basis: { before: Basis; after: Basis } | null } | null;
}

/** How a version's day was cut and its trades attributed. */
interface Basis {
  timeZone: string;
  cutoff: string;
  settings: AttributionSettings;
}

const basisOf = (r: ReportDraft): Basis => ({
  timeZone: r.day.timeZone,
  cutoff: r.day.cutoff,
  settings: r.settings,
});

export type ReportDraft = Omit<DailyReportDoc, '_id' | 'version' | 'restates' | 'createdAt'>;

const reports = (store: Store) => coll(store, 'daily_reports') as unknown as Collection<DailyReportDoc>;

/**
 * Stores `draft` as the day's next version, unless its figures equal the latest version's: running
 * a day's report again over the same events keeps one version. Versions are inserted, never
 * changed; two writers racing for a version number both see the unique index, and the loser tries
 * again against the winner's version.
 */
export async function saveReport(
  store: Store,
  draft: ReportDraft,
  now: Date,
): Promise<{ report: DailyReportDoc; created: boolean }> {
  for (;;) {
    const latest = await latestReport(store, draft.date);
    if (latest && sameFigures(latest, draft)) return { report: latest, created: false };
    const version = (latest?.version ?? 0) + 1;
    const report: DailyReportDoc = {
      ...draft,
      _id: `${draft.date}/v${version}`,
      version,
      createdAt: now,
      restates: latest
        ? {
            version: latest.version,
            changes: reportChanges(latest, draft),
            basis: isDeepStrictEqual(basisOf(latest), basisOf(draft))
              ? null
              : { before: basisOf(latest), after: basisOf(draft) },
          }
        : null,
    };
    try {
      await reports(store).insertOne(report);
      return { report, created: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}

function sameFigures(a: ReportDraft, b: ReportDraft): boolean {
  const figures = (r: ReportDraft) => [
    r.rows,
    r.attributed,
    r.organic,
    r.total,
    r.exceptions,
    r.status,
    basisOf(r),
  ];
  return isDeepStrictEqual(figures(a), figures(b));
}

/** The day's latest version, or one asked for. */
export async function latestReport(
  store: Store,
  date: string,
  version?: number,
): Promise<DailyReportDoc | null> {
  if (version !== undefined) return reports(store).findOne({ date, version });
  return reports(store).findOne({ date }, { sort: { version: -1 } });
}

/** Per day, newest first: its versions and the status of each. */
export async function listReports(
  store: Store,
  options: { limit: number; from?: string; to?: string },
): Promise<
  { date: string; latestVersion: number; status: DailyReportDoc['status']; versions: VersionSummary[] }[]
> {
  const range = {
    ...(options.from ? { $gte: options.from } : {}),
    ...(options.to ? { $lte: options.to } : {}),
  };
  const docs = await reports(store)
    .find(Object.keys(range).length ? { date: range } : {}, {
      projection: { _id: 0, date: 1, version: 1, status: 1, createdAt: 1, asOf: 1, total: 1, exceptions: 1 },
      sort: { date: -1, version: -1 },
    })
    .toArray();
  const byDate = new Map<string, VersionSummary[]>();
  for (const d of docs) {
    const versions = byDate.get(d.date) ?? [];
    if (!byDate.has(d.date)) {
      if (byDate.size >= options.limit) break;
      byDate.set(d.date, versions);
    }
    versions.push({
      version: d.version,
      status: d.status,
      createdAt: d.createdAt,
      asOf: d.asOf,
      trades: d.total.trades,
      exceptions: Object.values(d.exceptions.counts).reduce((s, n) => s + n, 0),
    });
  }
  return [...byDate].map(([date, versions]) => ({
    date,
    latestVersion: versions[0]!.version,
    status: versions[0]!.status,
    versions,
  }));
}

export interface VersionSummary {
  version: number;
  status: DailyReportDoc['status'];
  createdAt: Date;
  asOf: Date;
  trades: number;
  exceptions: number;
}

/** The newest day's latest report, for the metrics. */
export async function newestReport(store: Store): Promise<DailyReportDoc | null> {
  return reports(store).findOne({}, { sort: { date: -1, version: -1 } });
}
