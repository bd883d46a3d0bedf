import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { DEFAULT_HALF_LIFE_MS } from '../../src/domain/interaction-weights.js';
import { DAY_MS } from '../../src/util/durations.js';
import { assertFitted, itemPopularity, normalised } from './common.js';

export interface TrendingOptions {
  /** Length of the "now" window before the cut. Default 24 hours. */
  windowMs?: number;
  /** Length of the baseline window before it. Default 7 days. */
  baselineMs?: number;
}

/**
 * Trending (24h velocity at the cut), the same for every user. With `recent` the weighted count of
 * an item's training rows in the 24 hours before the cut and `base` the weighted count in the 7 days
 * before that:
 *
 *   trend(i) = (recent + 1) / (base / 7 + 1) · ln(1 + recent)
 *
 * i.e. today's rate over the previous week's daily rate (+1 smoothing so that a market with one
 * click yesterday and none before is not infinitely "trending"), times a log-volume factor so that
 * a jump from 1 to 3 ranks below one from 100 to 300. Items with no recent activity (trend 0) follow
 * every trending item, ordered by recency-weighted popularity (scores in [−1, 0]).
 */
export class TrendingRecommender implements Recommender {
  readonly name = 'trending';
  private readonly windowMs: number;
  private readonly baselineMs: number;
  private scores: Float32Array | undefined;

  constructor(options: TrendingOptions = {}) {
    this.windowMs = options.windowMs ?? DAY_MS;
    this.baselineMs = options.baselineMs ?? 7 * DAY_MS;
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    options.onProgress?.(0, 'trending');
    const { log, numItems, cutoffMs } = train;
    const recent = new Float64Array(numItems);
    const base = new Float64Array(numItems);
    for (let r = 0; r < log.item.length; r++) {
      const age = cutoffMs - log.ts[r]!;
      if (age < 0) continue;
      if (age <= this.windowMs) recent[log.item[r]!]! += log.weight[r]!;
      else if (age <= this.windowMs + this.baselineMs) base[log.item[r]!]! += log.weight[r]!;
    }
    const fallback = normalised(itemPopularity(train, DEFAULT_HALF_LIFE_MS));
    const baselineDays = this.baselineMs / this.windowMs;
    const scores = new Float32Array(numItems);
    for (let i = 0; i < numItems; i++) {
      const now = recent[i]!;
      const trend = now > 0 ? ((now + 1) / (base[i]! / baselineDays + 1)) * Math.log1p(now) : 0;
      scores[i] = trend > 0 ? trend : fallback[i]! - 1;
    }
    this.scores = scores;
    options.onProgress?.(1, 'trending');
  }

  scoreUser(_user: number, out: Float32Array): void {
    out.set(assertFitted(this.scores, this.name));
  }
}
