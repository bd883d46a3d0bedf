import { attributeTrade, surfaceOf } from './attribution.js';
import { TradeTotals, type MoneyTotals } from './money-totals.js';
import type { ReportDay } from './report-day.js';
import {
  EXCEPTION_REASONS,
  type AttributionSettings,
  type ExceptionReason,
  type ReportEvent,
  type ReportException,
  type Surface,
} from './report-types.js';

/** Exceptions listed one by one in a report; every one is counted. */
export const EXCEPTION_LIST_LIMIT = 1000;

/** What a report row is keyed by: the served feed's surface, ranker, model and arm, and the market's category. */
export interface RowKey {
  surface: Surface;
  ranker: string;
  rankerVersion: number | null;
  model: string | null;
  experiment: string | null;
  variation: string | null;
  category: string;
}

/** RowKey's fields, in the order rows are sorted and listed (the CSV's columns, restatements' ids). */
export const ROW_KEY_FIELDS = [
  'surface',
  'ranker',
  'rankerVersion',
  'model',
  'experiment',
  'variation',
  'category',
] as const satisfies readonly (keyof RowKey)[];

/** Just the key of a row. */
export function rowKeyOf(row: RowKey): RowKey {
  const { surface, ranker, rankerVersion, model, experiment, variation, category } = row;
  return { surface, ranker, rankerVersion, model, experiment, variation, category };
}

export interface ReportRow extends RowKey, MoneyTotals {
  impressions: number;
  clicks: number;
  /** clicks / impressions, to six places; null without impressions. */
  ctr: number | null;
  /** Mean position (0 = top) of the exposures its trades are attributed to, to two places; null without. */
  meanPosition: number | null;
}

/** A day's figures, the same for the same events in any order. */
export interface ReportBody {
  rows: ReportRow[];
  attributed: MoneyTotals;
  organic: MoneyTotals;
  /** Every trade of the day, summed on its own (not from the two above): the tie-out's reference. */
  total: MoneyTotals;
  exceptions: {
    counts: Record<ExceptionReason, number>;
    /** The first EXCEPTION_LIST_LIMIT by reason and eventId. */
    items: ReportException[];
    truncated: boolean;
  };
}

/** Category of a market the catalogue does not know. */
export const UNKNOWN_CATEGORY = '(unknown market)';

/**
 * The report of `day` from its events: trades, impressions and clicks of the day, and exposures
 * from up to the attribution window before it. Events repeated (by eventId) count once.
 */
export function buildReport(
  day: ReportDay,
  input: readonly ReportEvent[],
  categories: ReadonlyMap<string, string>,
  settings: AttributionSettings,
): ReportBody {
  const events = resolveFeeds(dedupe(input));
  const inDay = (e: ReportEvent) => e.ts >= day.start && e.ts < day.end;
  const exposuresByPair = new Map<string, ReportEvent[]>();
  for (const e of events) {
    if (e.type !== 'impression' && e.type !== 'click') continue;
    const key = pair(e);
    const list = exposuresByPair.get(key);
    if (list) list.push(e);
    else exposuresByPair.set(key, [e]);
  }

  const rows = new Map<
    string,
    { key: RowKey; impressions: number; clicks: number; trades: TradeTotals; positions: number[] }
  >();
  const row = (key: RowKey) => {
    const id = JSON.stringify(Object.values(key));
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { key, impressions: 0, clicks: 0, trades: new TradeTotals(), positions: [] }));
    return r;
  };
  const category = (ticker: string) => categories.get(ticker) ?? UNKNOWN_CATEGORY;
  const attributed = new TradeTotals();
  const organic = new TradeTotals();
  const total = new TradeTotals();
  const exceptions: ReportException[] = [];
  const flag = (reason: ExceptionReason, e: ReportEvent) =>
    exceptions.push({
      reason,
      eventId: e.eventId,
      type: e.type,
      userId: e.userId,
      ticker: e.ticker,
      feedId: e.feedId ?? null,
    });

  for (const e of events) {
    if (!inDay(e)) continue;
    if (e.receivedAt >= day.end) flag('arrived_after_cutoff', e);
    if (e.feedId !== undefined && e.attribution === undefined) {
      flag(e.feedIssue ? 'feed_of_another_user' : 'unknown_feed', e);
    }
    if (e.type === 'impression' || e.type === 'click') {
      if (e.attribution && e.feedId !== undefined) {
        const r = row({ ...feedKey(e), category: category(e.ticker) });
        if (e.type === 'impression') r.impressions++;
        else r.clicks++;
      }
      continue;
    }
    if (e.type !== 'trade') continue;
    if (!categories.has(e.ticker)) flag('unknown_market', e);
    if (e.contractsHundredths === undefined || e.notionalMicros === undefined) flag('missing_money', e);
    const exposures = exposuresByPair.get(pair(e)) ?? [];
    if (e.feedId !== undefined && exposedOnlyAfter(e, exposures)) flag('exposure_after_trade', e);

    total.add(e.userId, e.contractsHundredths, e.notionalMicros);
    const touch = attributeTrade(e, exposures, settings);
    if (!touch) {
      organic.add(e.userId, e.contractsHundredths, e.notionalMicros);
      continue;
    }
    attributed.add(e.userId, e.contractsHundredths, e.notionalMicros);
    const { surface, ranker, rankerVersion, model, experiment, variation } = touch;
    const r = row({
      surface,
      ranker,
      rankerVersion,
      model,
      experiment,
      variation,
      category: category(e.ticker),
    });
    r.trades.add(e.userId, e.contractsHundredths, e.notionalMicros);
    if (touch.position !== null) r.positions.push(touch.position);
  }

  exceptions.sort((a, b) => compare(a.reason, b.reason) || compare(a.eventId, b.eventId));
  const counts = Object.fromEntries(EXCEPTION_REASONS.map((r) => [r, 0])) as Record<ExceptionReason, number>;
  for (const x of exceptions) counts[x.reason]++;
  return {
    rows: [...rows.values()]
      .map(({ key, impressions, clicks, trades, positions }) => ({
        ...key,
        impressions,
        clicks,
        ctr: impressions > 0 ? Math.round((clicks / impressions) * 1e6) / 1e6 : null,
        ...trades.view(),
        meanPosition: positions.length
          ? Math.round((positions.reduce((a, b) => a + b, 0) / positions.length) * 100) / 100
          : null,
      }))
      .sort(compareRows),
    attributed: attributed.view(),
    organic: organic.view(),
    total: total.view(),
    exceptions: {
      counts,
      items: exceptions.slice(0, EXCEPTION_LIST_LIMIT),
      truncated: exceptions.length > EXCEPTION_LIST_LIMIT,
    },
  };
}

/**
 * One event per eventId, in eventId order. A replayed event is the same event: the store keeps the
 * first that arrived, so the earliest receivedAt wins.
 */
function dedupe(events: readonly ReportEvent[]): ReportEvent[] {
  const byId = new Map<string, ReportEvent>();
  for (const e of events) {
    const seen = byId.get(e.eventId);
    if (!seen || e.receivedAt < seen.receivedAt) byId.set(e.eventId, e);
  }
  return [...byId.values()].sort((a, b) => compare(a.eventId, b.eventId));
}

/**
 * An event naming a feed whose snapshot had expired when it arrived takes what served that feed
 * from another event of the same feed that was stamped: the feed's own record, for the same user.
 */
function resolveFeeds(events: ReportEvent[]): ReportEvent[] {
  const served = new Map<string, ReportEvent>();
  for (const e of events) {
    if (e.feedId !== undefined && e.attribution && !served.has(e.feedId)) served.set(e.feedId, e);
  }
  return events.map((e) => {
    if (e.feedId === undefined || e.attribution || e.feedIssue) return e;
    const source = served.get(e.feedId);
    if (!source) return e;
    if (source.userId !== e.userId) return { ...e, feedIssue: 'served_to_another_user' };
    return { ...e, attribution: source.attribution };
  });
}

/** A trade naming a feed that showed the user this market only after the trade. */
function exposedOnlyAfter(trade: ReportEvent, exposures: ReportEvent[]): boolean {
  const ofFeed = exposures.filter((x) => x.feedId === trade.feedId);
  return ofFeed.length > 0 && ofFeed.every((x) => x.ts > trade.ts);
}

function feedKey(e: ReportEvent): Omit<RowKey, 'category'> {
  const a = e.attribution!;
  return {
    surface: surfaceOf(e),
    ranker: a.ranker,
    rankerVersion: a.rankerVersion ?? null,
    model: a.model,
    experiment: a.experiment?.key ?? null,
    variation: a.experiment?.variation ?? null,
  };
}

const pair = (e: ReportEvent) => `${e.userId}\u0000${e.ticker}`;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRows(a: RowKey, b: RowKey): number {
  for (const k of ROW_KEY_FIELDS) {
    const c = compare(String(a[k] ?? ''), String(b[k] ?? ''));
    if (c !== 0) return c;
  }
  return 0;
}
