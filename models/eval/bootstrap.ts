import { Rng } from '../../src/util/rng.js';

/** A mean with its percentile bootstrap interval. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples. @defaultValue 1000 */
  samples?: number;
  /** Two-sided coverage. @defaultValue 0.95 */
  level?: number;
  seed?: number;
}

/**
 * The percentile bootstrap of the mean of `values` (resampling users with replacement). With
 * `paired`, of the mean difference `values − paired`, user by user: two recommenders evaluated on
 * the same users are compared on the same resamples, which removes the users' own variance from
 * the comparison (what a promotion gate needs on a few hundred users).
 */
export function bootstrapMean(
  values: Float64Array,
  options: BootstrapOptions & { paired?: Float64Array } = {},
): Interval {
  const { samples = 1000, level = 0.95, seed = 1, paired } = options;
  const n = values.length;
  if (paired && paired.length !== n)
    throw new RangeError(`paired bootstrap over ${n} and ${paired.length} users: not the same users`);
  const x = paired ? values.map((v, i) => v - paired[i]!) : values;
  const mean = n > 0 ? x.reduce((a, b) => a + b, 0) / n : 0;
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  const rng = Rng.of(seed, 'bootstrap', n);
  const means = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[rng.int(n)]!;
    means[s] = sum / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  const at = (q: number) => means[Math.min(samples - 1, Math.max(0, Math.floor(q * samples)))]!;
  return { mean, low: at(tail), high: at(1 - tail) };
}
