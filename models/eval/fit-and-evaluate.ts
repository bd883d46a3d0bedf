import type { Recommender } from '../core/types.js';
import { evaluateRecommender, type PerUserMetrics, type RankingMetrics } from './evaluate.js';
import type { EvalSplit } from './split.js';
import { bootstrapMean, type Interval } from './bootstrap.js';

/**
 * The mean per-user difference a − b of `metric` with its paired bootstrap interval (the same users,
 * the same resamples); undefined for a metric without per-user values (coverage).
 */
export function pairedDifference(
  a: ContenderResult,
  b: ContenderResult,
  metric: string,
  seed: number,
): Interval | undefined {
  const x = a.perUser[metric];
  const y = b.perUser[metric];
  return x && y ? bootstrapMean(x, { seed, paired: y }) : undefined;
}

/** One recommender to compare on a split, under the name it is reported by. */
export interface Contender {
  name: string;
  recommender: Recommender;
  /**
   * Already fitted (or bound) on this split's training rows: evaluated as it is. `trainSeconds` is
   * then what that earlier fit took, if it is known.
   */
  fitted?: { trainSeconds?: number };
}

export interface ContenderResult {
  recommender: Recommender;
  metrics: RankingMetrics;
  /** Each evaluated user's metrics, paired across contenders (evaluate.ts). */
  perUser: PerUserMetrics;
  /** Seconds its fit took (here or before); absent for a bound artifact. */
  trainSeconds?: number;
}

export interface FitAndEvaluateOptions {
  /** Cut-off of the ranking metrics. */
  k: number;
  /** Seed of every fit. */
  seed: number;
  /** Overall share done in [0, 1], with the contender and what it is doing. */
  onProgress?: (fraction: number, name: string, stage: string) => void;
}

/**
 * The loop of every offline comparison (`sibyl eval`, the nightly evaluation): fits each contender
 * that is not fitted yet on the split's training rows, then scores it on the test rows, in order.
 * Each contender takes an equal share of the progress, half fitting and half evaluating.
 */
export async function fitAndEvaluate(
  contenders: readonly Contender[],
  split: EvalSplit,
  options: FitAndEvaluateOptions,
): Promise<Map<string, ContenderResult>> {
  const results = new Map<string, ContenderResult>();
  const share = 1 / Math.max(1, contenders.length);
  for (const [i, { name, recommender, fitted }] of contenders.entries()) {
    const report = (fraction: number, stage: string) =>
      options.onProgress?.((i + fraction) * share, name, stage);
    let trainSeconds = fitted?.trainSeconds;
    if (!fitted) {
      report(0, 'fit');
      const started = performance.now();
      await recommender.fit(split.train, {
        seed: options.seed,
        onProgress: (f, stage) => report(f / 2, stage),
      });
      trainSeconds = (performance.now() - started) / 1000;
    }
    const { metrics, perUser } = await evaluateRecommender(recommender, split, {
      k: options.k,
      onProgress: (f) => report(0.5 + f / 2, 'evaluate'),
    });
    results.set(name, {
      recommender,
      metrics,
      perUser,
      ...(trainSeconds !== undefined ? { trainSeconds } : {}),
    });
  }
  return results;
}
