import { chiSquaredSurvival } from './gamma.js';

export interface SampleRatioMismatchOptions {
  /**
   * Warn below this p-value. Strict because the check runs continuously on every experiment, and a
   * real mismatch (broken assignment, bots, redirects) soon gives p-values far smaller.
   * @defaultValue 0.001
   */
  threshold?: number;
}

export interface SampleRatioMismatch {
  chiSquared: number;
  degreesOfFreedom: number;
  pValue: number;
  /** pValue < threshold: the split differs from the configured weights, so results are suspect. */
  warning: boolean;
}

/**
 * Pearson's chi-squared goodness-of-fit test of users per variation against the configured traffic
 * weights: χ² = Σ (oᵢ − eᵢ)²/eᵢ with eᵢ = N·wᵢ/Σw, df = k − 1, p = P(χ²_df > χ²).
 * (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments".)
 */
export function sampleRatioMismatch(
  observed: number[],
  expectedWeights: number[],
  options: SampleRatioMismatchOptions = {},
): SampleRatioMismatch {
  const threshold = options.threshold ?? 0.001;
  if (observed.length !== expectedWeights.length) {
    throw new RangeError(`${observed.length} observed counts but ${expectedWeights.length} weights`);
  }
  if (observed.length < 2) throw new RangeError('a sample ratio test needs at least 2 variations');
  if (observed.some((o) => !(o >= 0 && Number.isFinite(o)))) {
    throw new RangeError(`observed counts must be finite and ≥ 0, got ${observed.join(', ')}`);
  }
  if (expectedWeights.some((w) => !(w > 0 && Number.isFinite(w)))) {
    throw new RangeError(`weights must be finite and > 0, got ${expectedWeights.join(', ')}`);
  }

  const degreesOfFreedom = observed.length - 1;
  const total = observed.reduce((a, b) => a + b, 0);
  // Before anyone is exposed there is no evidence of a mismatch.
  if (total === 0) return { chiSquared: 0, degreesOfFreedom, pValue: 1, warning: false };

  const weightSum = expectedWeights.reduce((a, b) => a + b, 0);
  let chiSquared = 0;
  observed.forEach((o, i) => {
    const expected = (total * expectedWeights[i]!) / weightSum;
    chiSquared += (o - expected) ** 2 / expected;
  });
  const pValue = chiSquaredSurvival(chiSquared, degreesOfFreedom);
  return { chiSquared, degreesOfFreedom, pValue, warning: pValue < threshold };
}
