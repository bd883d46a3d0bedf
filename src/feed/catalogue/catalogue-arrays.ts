import type { CatalogueSnapshot } from './market-catalogue.js';

/**
 * A catalogue snapshot's per-market fields as typed arrays (row i for markets[i]), built once per
 * snapshot: what lets a ranker filter and score every open market without touching an object.
 */
export interface CatalogueArrays {
  closeMs: Float64Array;
  /** NaN when the open time is unknown. */
  openMs: Float64Array;
  popularity: Float32Array;
  trend: Float32Array;
  recency: Float32Array;
  /** 1 for a market with no volume or engagement on record (`CatalogueMarket.unproven`). */
  unproven: Uint8Array;
  /** Index into `categoryKeys`. */
  category: Int32Array;
  categoryKeys: string[];
  /** Index into `seriesKeys`, −1 for a market without a series. */
  series: Int32Array;
  seriesKeys: string[];
  /** Index into `eventKeys`. */
  event: Int32Array;
  eventKeys: string[];
  /** Ticker → row. */
  row: Map<string, number>;
  /** Event ticker → rows of its open markets. */
  eventRows: Map<string, number[]>;
  /**
   * Rows by popularity (ties by recency: markets quiet for a day or a week are still ordered by
   * their decayed interest), by trend and by open time, best (newest) first: the list sources.
   */
  byPopularity: Int32Array;
  byTrend: Int32Array;
  byNewest: Int32Array;
  /** Per category index, its rows by popularity. */
  categoryByPopularity: Int32Array[];
  /** Market ticker → its co-interaction neighbours among the open rows (filled on first use). */
  neighbourRows: Map<string, { rows: Int32Array; scores: Float32Array }>;
  /**
   * Per-row buffers every request reuses instead of allocating its own (at 100k markets, fresh
   * ones per request drive the GC into the tail latency). Ranking is synchronous, so one request
   * uses them at a time; each use resets what the previous one left.
   */
  scratch: {
    mask: Uint8Array;
    neighbourScore: Float32Array;
    /** Per row, the strongest single contribution, and which recent market (−1: none) gave it. */
    neighbourStrongest: Float32Array;
    neighbourVia: Int8Array;
    neighbourRows: number[];
  };
}

const cache = new WeakMap<CatalogueSnapshot, CatalogueArrays>();

export function catalogueArrays(catalogue: CatalogueSnapshot): CatalogueArrays {
  const cached = cache.get(catalogue);
  if (cached) return cached;
  const n = catalogue.markets.length;
  const categoryKeys: string[] = [];
  const categoryOf = new Map<string, number>();
  const seriesKeys: string[] = [];
  const seriesOf = new Map<string, number>();
  const arrays: CatalogueArrays = {
    closeMs: new Float64Array(n),
    openMs: new Float64Array(n),
    popularity: new Float32Array(n),
    trend: new Float32Array(n),
    recency: new Float32Array(n),
    unproven: new Uint8Array(n),
    category: new Int32Array(n),
    categoryKeys,
    series: new Int32Array(n),
    seriesKeys,
    event: new Int32Array(n),
    eventKeys: [],
    row: new Map(),
    eventRows: new Map(),
    byPopularity: new Int32Array(0),
    byTrend: new Int32Array(0),
    byNewest: new Int32Array(0),
    categoryByPopularity: [],
    neighbourRows: new Map(),
    scratch: {
      mask: new Uint8Array(n),
      neighbourScore: new Float32Array(n),
      neighbourStrongest: new Float32Array(n),
      neighbourVia: new Int8Array(n).fill(-1),
      neighbourRows: [],
    },
  };
  catalogue.markets.forEach((m, i) => {
    arrays.closeMs[i] = m.closeTime.getTime();
    arrays.openMs[i] = m.openTime?.getTime() ?? NaN;
    arrays.popularity[i] = m.popularity;
    arrays.trend[i] = m.trend;
    arrays.recency[i] = m.recency;
    arrays.unproven[i] = m.unproven ? 1 : 0;
    let c = categoryOf.get(m.categoryKey);
    if (c === undefined) categoryOf.set(m.categoryKey, (c = categoryKeys.push(m.categoryKey) - 1));
    arrays.category[i] = c;
    let s = m.seriesTicker === undefined ? -1 : seriesOf.get(m.seriesTicker);
    if (s === undefined) seriesOf.set(m.seriesTicker!, (s = seriesKeys.push(m.seriesTicker!) - 1));
    arrays.series[i] = s;
    arrays.row.set(m.ticker, i);
    const siblings = arrays.eventRows.get(m.eventTicker);
    if (siblings) siblings.push(i);
    else arrays.eventRows.set(m.eventTicker, [i]);
    arrays.event[i] = siblings ? arrays.event[siblings[0]!]! : arrays.eventKeys.push(m.eventTicker) - 1;
  });
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  // Ties by row (the catalogue's order), so lists are deterministic.
  const by = (key: ArrayLike<number>, then?: ArrayLike<number>) =>
    rows.slice().sort((x, y) => key[y]! - key[x]! || (then ? then[y]! - then[x]! : 0) || x - y);
  arrays.byPopularity = by(arrays.popularity, arrays.recency);
  arrays.byTrend = by(arrays.trend);
  arrays.byNewest = by(arrays.openMs.map((t) => (Number.isNaN(t) ? -Infinity : t)));
  arrays.categoryByPopularity = categoryKeys.map((_, c) =>
    arrays.byPopularity.filter((i) => arrays.category[i] === c),
  );
  cache.set(catalogue, arrays);
  return arrays;
}

const NO_NEIGHBOURS = { rows: new Int32Array(0), scores: new Float32Array(0) };

/** The open rows among `ticker`'s neighbours (it may itself be closed), resolved once per snapshot. */
export function openNeighbours(
  catalogue: CatalogueSnapshot,
  a: CatalogueArrays,
  ticker: string,
): { rows: Int32Array; scores: Float32Array } {
  let resolved = a.neighbourRows.get(ticker);
  if (resolved) return resolved;
  const list = catalogue.neighbours.get(ticker);
  if (!list) return NO_NEIGHBOURS;
  const rows: number[] = [];
  const scores: number[] = [];
  for (const n of list) {
    const row = a.row.get(n.ticker);
    if (row === undefined) continue;
    rows.push(row);
    scores.push(n.score);
  }
  resolved = { rows: Int32Array.from(rows), scores: Float32Array.from(scores) };
  a.neighbourRows.set(ticker, resolved);
  return resolved;
}
