import type { CatalogSnapshot } from './catalog.js';

/**
 * A catalogue snapshot's per-market fields as typed arrays (row i for markets[i]), built once per
 * snapshot: what lets a ranker filter and score every open market without touching an object.
 */
export interface CatalogArrays {
  closeMs: Float64Array;
  /** NaN when the open time is unknown. */
  openMs: Float64Array;
  popularity: Float32Array;
  trend: Float32Array;
  /** Index into `categoryKeys`. */
  category: Int32Array;
  categoryKeys: string[];
  /** Index into `seriesKeys`, −1 for a market without a series. */
  series: Int32Array;
  seriesKeys: string[];
  /** Ticker → row. */
  row: Map<string, number>;
  /** Event ticker → rows of its open markets. */
  eventRows: Map<string, number[]>;
}

const cache = new WeakMap<CatalogSnapshot, CatalogArrays>();

export function catalogArrays(catalog: CatalogSnapshot): CatalogArrays {
  const cached = cache.get(catalog);
  if (cached) return cached;
  const n = catalog.markets.length;
  const categoryKeys: string[] = [];
  const categoryOf = new Map<string, number>();
  const seriesKeys: string[] = [];
  const seriesOf = new Map<string, number>();
  const arrays: CatalogArrays = {
    closeMs: new Float64Array(n),
    openMs: new Float64Array(n),
    popularity: new Float32Array(n),
    trend: new Float32Array(n),
    category: new Int32Array(n),
    categoryKeys,
    series: new Int32Array(n),
    seriesKeys,
    row: new Map(),
    eventRows: new Map(),
  };
  catalog.markets.forEach((m, i) => {
    arrays.closeMs[i] = m.closeTime.getTime();
    arrays.openMs[i] = m.openTime?.getTime() ?? NaN;
    arrays.popularity[i] = m.popularity;
    arrays.trend[i] = m.trend;
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
  });
  cache.set(catalog, arrays);
  return arrays;
}
