/**
 * Per-variation summary of a metric measured per randomization unit (user) as a pair
 * (numerator xᵢ, denominator yᵢ): CTR is (clicks, impressions), trade conversion is (traded ? 1 : 0, 1),
 * trades per exposed user is (trades, 1). The metric is the ratio of means R = x̄ / ȳ.
 *
 * Users, not impressions, are independent, so the variance of R must come from the per-user pairs:
 * the delta method (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric Analytics", eq. 3):
 *
 *   Var(R) ≈ (1/n) · [ σx²/μy² − 2·μx·σxy/μy³ + μx²·σy²/μy⁴ ]
 *
 * with sample (n − 1) variances and covariance. For a mean metric (yᵢ = 1) σy² = σxy = 0 and this is
 * the familiar σx²/n. Only the sums Σx, Σy, Σx², Σy², Σxy and n are kept: O(1) memory for any
 * number of users, and accumulators of shards can be merged (the sums add).
 */
export interface RatioSums {
  n: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

export interface RatioSummary {
  /** Number of users. */
  n: number;
  /** R = Σx / Σy; null when Σy = 0 (no impressions at all: the ratio is undefined). */
  mean: number | null;
  /** Delta-method variance of `mean` (not of a single user); null when n < 2 or `mean` is null. */
  varianceOfMean: number | null;
}

export class RatioAccumulator {
  private readonly sums: RatioSums = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };

  /** Adds one user's (numerator, denominator) pair. */
  add(numerator: number, denominator: number): this {
    if (!Number.isFinite(numerator) || !Number.isFinite(denominator)) {
      throw new RangeError(`a user's metric values must be finite, got (${numerator}, ${denominator})`);
    }
    const s = this.sums;
    s.n += 1;
    s.sumX += numerator;
    s.sumY += denominator;
    s.sumXX += numerator * numerator;
    s.sumYY += denominator * denominator;
    s.sumXY += numerator * denominator;
    return this;
  }

  /** Adds another accumulator's users (e.g. a shard computed elsewhere). */
  merge(other: RatioAccumulator): this {
    const s = this.sums;
    const o = other.sums;
    s.n += o.n;
    s.sumX += o.sumX;
    s.sumY += o.sumY;
    s.sumXX += o.sumXX;
    s.sumYY += o.sumYY;
    s.sumXY += o.sumXY;
    return this;
  }

  /** A copy of the raw sums, e.g. to persist and later rebuild with `fromSums`. */
  toSums(): RatioSums {
    return { ...this.sums };
  }

  static fromSums(sums: RatioSums): RatioAccumulator {
    const accumulator = new RatioAccumulator();
    Object.assign(accumulator.sums, sums);
    return accumulator;
  }

  summary(): RatioSummary {
    return summarizeSums(this.sums);
  }
}

/** Summary of a list of per-user pairs; a convenience over `RatioAccumulator`. */
export function summarize(values: Iterable<{ num: number; den: number }>): RatioSummary {
  const accumulator = new RatioAccumulator();
  for (const { num, den } of values) accumulator.add(num, den);
  return accumulator.summary();
}

export function summarizeSums({ n, sumX, sumY, sumXX, sumYY, sumXY }: RatioSums): RatioSummary {
  if (n === 0 || sumY === 0) return { n, mean: null, varianceOfMean: null };
  const mean = sumX / sumY;
  if (n < 2) return { n, mean, varianceOfMean: null };
  const meanX = sumX / n;
  const meanY = sumY / n;
  // Sample moments from raw sums; rounding can push a true zero slightly negative.
  const varX = Math.max(0, (sumXX - n * meanX * meanX) / (n - 1));
  const varY = Math.max(0, (sumYY - n * meanY * meanY) / (n - 1));
  const covXY = (sumXY - n * meanX * meanY) / (n - 1);
  const perUser = varX / meanY ** 2 - (2 * meanX * covXY) / meanY ** 3 + (meanX ** 2 * varY) / meanY ** 4;
  return { n, mean, varianceOfMean: Math.max(0, perUser) / n };
}
