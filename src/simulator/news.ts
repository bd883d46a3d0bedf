import { DAY_MS, HOUR_MS } from './calendar.js';
import { Rng } from '../util/rng.js';
import type { SeriesTemplate } from './series/index.js';
import { HourlyBySeries } from './smooth-noise.js';

/**
 * News bursts: seeded shocks to a series (its open events: a Fed speech moves every Fed market, a
 * storm every weather market of the city), each of a heavy-tailed size that decays with a half-life
 * of hours. A series' heat is the sum of its decaying shocks; attention to its markets is multiplied
 * by 1 + heat (./attention.ts) and users like them more for it (./behaviour.ts), so a burst shows in
 * the data as a spike that many users share at the same hours, and what was hot an hour ago says
 * more about the next hour than the whole history does.
 *
 * Shocks are drawn per series and per absolute UTC day, from their own seeded stream, so they do not
 * depend on the window: `sibyl simulate`, `sibyl exchange` (whose window reaches days ahead) and
 * `sibyl traffic` (which runs after the simulated window) see the same news at the same hours.
 */

/** Shocks per day across the whole exchange, on average: a few stories a day move some series. */
export const NEWS_PER_DAY = 4;
/**
 * Pareto tail index of a shock's size (what it adds to the multiplier of attention at its peak, at
 * least 1): at 1.2 the median shock multiplies its series' attention by almost 3, one in ten by 8
 * and one in a hundred by 41 (the cap), the heavy tail of news-driven volume.
 */
export const NEWS_SIZE_TAIL = 1.2;
export const NEWS_MAX_SIZE = 40;
/** Median half-life of a burst in hours (each shock's is lognormal around it, at most a day). */
export const NEWS_HALF_LIFE_HOURS = 6;
const MAX_HALF_LIFE_HOURS = 24;
/** Shocks older than this no longer count: the longest half-life ten times over (2⁻¹⁰ of the peak). */
const LOOKBACK_DAYS = Math.ceil((10 * MAX_HALF_LIFE_HOURS) / 24);
/** Share of the series' weight in drawing where news lands: popular series make more news. */
const newsWeight = (t: SeriesTemplate) => Math.sqrt(t.popularity);

export interface NewsShock {
  series: number;
  /** Absolute hour (hours since the Unix epoch) from which the shock counts. */
  hour: number;
  size: number;
  halfLifeHours: number;
}

export class News {
  private readonly rate: Float64Array;
  private readonly count: number;
  private readonly heat: HourlyBySeries;

  constructor(
    private readonly seed: number,
    private readonly templates: readonly SeriesTemplate[],
    /** False: no news at all (the simulator with its dynamics switched off). */
    private readonly enabled = true,
  ) {
    this.count = templates.length;
    const weights = templates.map(newsWeight);
    const total = weights.reduce((s, w) => s + w, 0);
    this.rate = Float64Array.from(weights, (w) => (NEWS_PER_DAY * w) / total);
    this.heat = new HourlyBySeries(this.count, (day) => this.dayHeat(day));
  }

  /** The shocks of one series that start on absolute day `day` (days since the Unix epoch). */
  shocksOn(series: number, day: number): NewsShock[] {
    if (!this.enabled) return [];
    const rng = Rng.of(this.seed, 'news', this.templates[series]!.ticker, day);
    const n = rng.poisson(this.rate[series]!);
    const shocks: NewsShock[] = [];
    for (let k = 0; k < n; k++) {
      shocks.push({
        series,
        hour: day * 24 + rng.int(24),
        size: Math.min(NEWS_MAX_SIZE, (1 - rng.next()) ** (-1 / NEWS_SIZE_TAIL)),
        halfLifeHours: Math.min(MAX_HALF_LIFE_HOURS, NEWS_HALF_LIFE_HOURS * rng.lognormal(0, 0.5)),
      });
    }
    return shocks;
  }

  /** Every shock starting in [fromMs, toMs), in time order (for docs, tests and demos). */
  shocks(fromMs: number, toMs: number): NewsShock[] {
    const all: NewsShock[] = [];
    for (let day = Math.floor(fromMs / DAY_MS); day * DAY_MS < toMs; day++) {
      for (let s = 0; s < this.count; s++) all.push(...this.shocksOn(s, day));
    }
    const from = fromMs / HOUR_MS;
    const to = toMs / HOUR_MS;
    return all
      .filter((x) => x.hour >= from && x.hour < to)
      .sort((a, b) => a.hour - b.hour || a.series - b.series);
  }

  /** log(1 + heat) of a series during absolute hour `hour`: 0 without news. */
  logHeat(series: number, hour: number): number {
    return this.enabled ? this.heat.at(series, hour) : 0;
  }

  /** log(1 + heat) during the hour that contains `ms`. */
  logHeatAt(series: number, ms: number): number {
    return this.logHeat(series, Math.floor(ms / HOUR_MS));
  }

  private dayHeat(day: number): Float32Array {
    const heat = new Float64Array(24 * this.count);
    for (let s = 0; s < this.count; s++) {
      for (let d = day - LOOKBACK_DAYS; d <= day; d++) {
        for (const shock of this.shocksOn(s, d)) {
          for (let h = Math.max(0, shock.hour - day * 24); h < 24; h++) {
            const age = day * 24 + h - shock.hour;
            heat[h * this.count + s]! += shock.size * 0.5 ** (age / shock.halfLifeHours);
          }
        }
      }
    }
    return Float32Array.from(heat, (x) => Math.log1p(x));
  }
}
