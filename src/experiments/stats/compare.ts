import { normalCdf, normalQuantile, twoSidedPValue } from './normal.js';
import type { RatioSummary } from './ratio-accumulator.js';

export interface CompareOptions {
  /**
   * Coverage of the confidence interval.
   * @defaultValue 0.95
   */
  confidenceLevel?: number;
}

/** Why no inference is possible; each is a state a young experiment really reaches. */
export type DegenerateReason =
  /** Fewer than 2 users in an arm: no variance estimate. */
  | 'insufficient-users'
  /** An arm's denominators sum to 0 (e.g. no impressions yet): its mean is undefined. */
  | 'undefined-mean'
  /** Control mean is 0: a relative lift is undefined. */
  | 'zero-control-mean'
  /** The lift's variance is 0 (e.g. every user identical): no p-value or interval is meaningful. */
  | 'zero-variance';

export interface LiftEstimate {
  reason: null;
  /** Δ = μt/μc − 1. */
  relativeLift: number;
  standardError: number;
  confidenceInterval: { lower: number; upper: number };
  /** Two-sided p-value of H0: Δ = 0. */
  pValue: number;
  /** Posterior P(Δ > 0) under a flat prior. */
  chanceToBeatControl: number;
}

export interface DegenerateLift {
  reason: DegenerateReason;
  /** Known when both means are defined and the control mean is not 0 (e.g. 'zero-variance'). */
  relativeLift: number | null;
  standardError: null;
  confidenceInterval: null;
  pValue: null;
  chanceToBeatControl: null;
}

export type LiftResult = LiftEstimate | DegenerateLift;

function degenerate(reason: DegenerateReason, relativeLift: number | null = null): DegenerateLift {
  return {
    reason,
    relativeLift,
    standardError: null,
    confidenceInterval: null,
    pValue: null,
    chanceToBeatControl: null,
  };
}

/**
 * Relative lift of treatment over control with frequentist and Bayesian read-outs, as in GrowthBook
 * ("Statistical Details", docs.growthbook.io/statistics/details).
 *
 * The arms are independent, so by the delta method for a ratio of independent means
 *   Var(Δ) ≈ Var(μt)/μc² + μt²·Var(μc)/μc⁴.
 * Then: CI = Δ ± z_{(1+level)/2}·SE; p = 2·(1 − Φ(|Δ|/SE)); and with a flat prior the posterior of Δ
 * is approximately N(Δ, SE²), so the chance to beat control is P(Δ > 0) = Φ(Δ/SE). (For a 95% level
 * the CI excludes 0 exactly when p < 0.05, and chance = 1 − p/2 when Δ > 0: one normal model.) The
 * interval's lower edge stops at −100%, where the treatment's mean is 0.
 */
export function compareToControl(
  control: RatioSummary,
  treatment: RatioSummary,
  options: CompareOptions = {},
): LiftResult {
  const level = options.confidenceLevel ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`confidenceLevel must be in (0, 1), got ${level}`);

  if (control.n < 2 || treatment.n < 2) return degenerate('insufficient-users');
  if (control.mean === null || treatment.mean === null) return degenerate('undefined-mean');
  if (control.mean === 0) return degenerate('zero-control-mean');
  const varianceT = treatment.varianceOfMean;
  const varianceC = control.varianceOfMean;
  const relativeLift = treatment.mean / control.mean - 1;
  // n ≥ 2 and defined means imply defined variances; the check only narrows the types.
  if (varianceT === null || varianceC === null) return degenerate('insufficient-users', relativeLift);

  const muC = control.mean;
  const variance = varianceT / muC ** 2 + (treatment.mean ** 2 * varianceC) / muC ** 4;
  if (!(variance > 0)) return degenerate('zero-variance', relativeLift);

  const standardError = Math.sqrt(variance);
  const z = relativeLift / standardError;
  const halfWidth = normalQuantile((1 + level) / 2) * standardError;
  return {
    reason: null,
    relativeLift,
    standardError,
    // Every metric here is a ratio of non-negative sums, so Δ ≥ −100%: the normal approximation's
    // lower edge can fall below that on a few users (e.g. −277%), which no outcome could reach.
    confidenceInterval: { lower: Math.max(-1, relativeLift - halfWidth), upper: relativeLift + halfWidth },
    pValue: twoSidedPValue(z),
    chanceToBeatControl: normalCdf(z),
  };
}
