import { DAY_MS, HOUR_MS } from './calendar.js';
import type { SeriesTemplate } from './series/index.js';
import { addSmoothNoise, HourlyBySeries } from './smooth-noise.js';

/**
 * Series go in and out of fashion: each series' appeal is multiplied by exp of a smooth random path
 * (standard deviation SERIES_TREND_SD) that eases to a new independent value every
 * SERIES_TREND_DAYS days, so a series busy last week can be quiet this week. Its markets, old and
 * new, rise and fall together: what the exchange's users liked over the whole history is not what
 * they like now. Keyed by absolute time (./smooth-noise.ts), so every consumer sees the same trends.
 */
export const SERIES_TREND_DAYS = 7;
/**
 * At 0.6 a series is more than twice or less than half as popular as usual one day in four. The
 * path moves over a week, longer than a test period and shorter than a training window, which is
 * what lets recent popularity predict the next days where all-history popularity cannot
 * (test/simulator/dynamics.test.ts). At 0.8 one series' surge could outrank users' own tastes on
 * a whole test period (test/simulator/signal.test.ts, seed 1).
 */
export const SERIES_TREND_SD = 0.6;

export class SeriesTrends {
  private readonly values: HourlyBySeries;

  constructor(
    private readonly seed: number,
    private readonly templates: readonly SeriesTemplate[],
    private readonly enabled = true,
  ) {
    const count = templates.length;
    this.values = new HourlyBySeries(count, (day) => {
      const out = new Float32Array(24 * count);
      const one = new Float64Array(1);
      for (let s = 0; s < count; s++) {
        for (let h = 0; h < 24; h++) {
          one[0] = 0;
          const ms = day * DAY_MS + (h + 0.5) * HOUR_MS;
          addSmoothNoise(
            [this.seed, 'trend', this.templates[s]!.ticker],
            ms,
            SERIES_TREND_DAYS * DAY_MS,
            SERIES_TREND_SD,
            one,
          );
          out[h * count + s] = one[0];
        }
      }
      return out;
    });
  }

  /** log of the series' popularity multiplier during absolute hour `hour`: 0 when switched off. */
  logTrend(series: number, hour: number): number {
    return this.enabled ? this.values.at(series, hour) : 0;
  }

  logTrendAt(series: number, ms: number): number {
    return this.logTrend(series, Math.floor(ms / HOUR_MS));
  }
}
