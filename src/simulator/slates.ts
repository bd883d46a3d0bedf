import { attention } from './attention.js';
import type { Catalogue } from './catalogue.js';
import { CATEGORIES } from './series/index.js';

/**
 * What the exchange can show in each hour of the window: the markets open for the whole hour,
 * ranked by attention, with per-category and per-series views. Built once, shared by all users, so
 * a user-hour costs a lookup rather than a scan of the catalogue.
 */
export interface HourSlate {
  /** Markets open throughout the hour, most attention first. */
  markets: Int32Array;
  logAttention: Float32Array;
  /** Running sum of attention in `markets` order, for attention-proportional discovery. */
  cumulative: Float64Array;
  /** Positions in `markets` of each category's markets, best first. */
  byCategory: Int32Array[];
  /** Positions in `markets` of each series' markets, best first (absent: nothing open). */
  bySeries: Map<number, Int32Array>;
}

export function buildSlates(cat: Catalogue): HourSlate[] {
  const slates: HourSlate[] = [];
  for (let h = 0; h < cat.hours; h++) {
    const open: { market: number; attention: number }[] = [];
    for (const m of cat.markets) {
      if (m.openHour <= h && h < m.closeHour) open.push({ market: m.index, attention: attention(cat, m, h) });
    }
    open.sort((a, b) => b.attention - a.attention || a.market - b.market);
    const markets = Int32Array.from(open, (o) => o.market);
    const cumulative = new Float64Array(open.length);
    let total = 0;
    open.forEach((o, i) => (cumulative[i] = total += o.attention));
    const byCategory = CATEGORIES.map(() => [] as number[]);
    const bySeries = new Map<number, number[]>();
    markets.forEach((index, position) => {
      const m = cat.markets[index]!;
      byCategory[m.category]!.push(position);
      const list = bySeries.get(m.series) ?? [];
      list.push(position);
      bySeries.set(m.series, list);
    });
    slates.push({
      markets,
      logAttention: Float32Array.from(open, (o) => Math.log(o.attention)),
      cumulative,
      byCategory: byCategory.map((positions) => Int32Array.from(positions)),
      bySeries: new Map([...bySeries].map(([s, positions]) => [s, Int32Array.from(positions)])),
    });
  }
  return slates;
}
