import { describe, expect, it } from 'vitest';
import {
  RatioAccumulator,
  chiSquaredSurvival,
  compareToControl,
  logGamma,
  normalCdf,
  normalQuantile,
  sampleRatioMismatch,
  summarize,
  twoSidedPValue,
  type LiftResult,
  type RatioSummary,
} from '../../src/experiments/stats/index.js';

// Expected values below are textbook table values or closed forms; where more digits are shown than
// a printed table gives, they were checked against scipy.stats (an independent implementation).

function expectRelativelyClose(actual: number | null, expected: number, tolerance = 1e-12): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('special functions', () => {
  it('logGamma matches known values', () => {
    expectRelativelyClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI))); // Γ(1/2) = √π
    expectRelativelyClose(logGamma(5), Math.log(24)); // Γ(5) = 4!
    expectRelativelyClose(logGamma(11), Math.log(3628800)); // Γ(11) = 10!
    expectRelativelyClose(logGamma(0.1), 2.2527126517342055); // via Γ(x) = Γ(x + 1)/x
    expectRelativelyClose(logGamma(100.5), 361.4355404677776);
  });

  it('chi-squared survival hits textbook critical values', () => {
    expectRelativelyClose(chiSquaredSurvival(3.841458820694124, 1), 0.05, 1e-10); // df=1, α=0.05
    expectRelativelyClose(chiSquaredSurvival(6.634896601021214, 1), 0.01, 1e-10); // df=1, α=0.01
    expectRelativelyClose(chiSquaredSurvival(13.815510557964274, 2), 0.001, 1e-10); // df=2, α=0.001
    expectRelativelyClose(chiSquaredSurvival(18.307038053275146, 10), 0.05, 1e-10); // df=10, α=0.05
    expectRelativelyClose(chiSquaredSurvival(124.34211340400408, 100), 0.05, 1e-9); // df=100, α=0.05
  });

  it('chi-squared survival equals the closed forms for even df, into the far tail', () => {
    // df=2: Q(1, x/2) = e^(−x/2); df=4: Q(2, x/2) = e^(−x/2)·(1 + x/2).
    for (const x of [0.01, 0.5, 1, 3, 10, 40, 300]) {
      expectRelativelyClose(chiSquaredSurvival(x, 2), Math.exp(-x / 2), 1e-12);
      expectRelativelyClose(chiSquaredSurvival(x, 4), Math.exp(-x / 2) * (1 + x / 2), 1e-12);
    }
    expectRelativelyClose(chiSquaredSurvival(500, 3), 4.771672031912771e-108, 1e-9);
    expect(chiSquaredSurvival(0, 3)).toBe(1);
  });

  it('normal CDF matches tables, including the far tail', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expectRelativelyClose(normalCdf(-1), 0.15865525393145707);
    expectRelativelyClose(normalCdf(1.959963984540054), 0.975);
    expectRelativelyClose(normalCdf(-8), 6.22096057427174e-16, 1e-10);
    expectRelativelyClose(twoSidedPValue(1.959963984540054), 0.05);
    expectRelativelyClose(twoSidedPValue(-2), 0.04550026389635857); // P(|Z| > 2)
  });

  it('normal quantile matches tables and inverts the CDF', () => {
    expectRelativelyClose(normalQuantile(0.975), 1.959963984540054);
    expectRelativelyClose(normalQuantile(0.95), 1.6448536269514722);
    expectRelativelyClose(normalQuantile(0.8), 0.8416212335729143);
    expectRelativelyClose(normalQuantile(0.999), 3.090232306167813);
    expectRelativelyClose(normalQuantile(1e-10), -6.361340902404056);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    // Round trip only where p is representable: near p = 1 a double's 1e-16 step moves z by 1e-16/φ(z).
    for (let z = -7; z <= 2; z += 0.25) expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 12);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
  });
});

describe('RatioAccumulator (delta method)', () => {
  it('gives the analytic delta-method variance for a small ratio example', () => {
    // Users (x, y) = (0,1), (1,2), (2,3): x̄ = 1, ȳ = 2, R = 1/2.
    // Sample var x = var y = cov = ((−1)² + 0 + 1²)/2 = 1.
    // Var(R) = (1/n)[σx²/μy² − 2μxσxy/μy³ + μx²σy²/μy⁴] = (1/3)[1/4 − 2/8 + 1/16] = 1/48.
    // Cross-check via residuals dᵢ = xᵢ − R·yᵢ = (−½, 0, ½): Var(R) = s_d²/(n·ȳ²) = (1/4)/(3·4) = 1/48.
    const s = summarize([
      { num: 0, den: 1 },
      { num: 1, den: 2 },
      { num: 2, den: 3 },
    ]);
    expect(s.n).toBe(3);
    expectRelativelyClose(s.mean, 0.5);
    expectRelativelyClose(s.varianceOfMean, 1 / 48);
  });

  it('gives zero variance when every user has the same ratio', () => {
    const s = new RatioAccumulator().add(1, 2).add(2, 4).add(3, 6).summary();
    expectRelativelyClose(s.mean, 0.5);
    expect(s.varianceOfMean).toBeCloseTo(0, 14);
  });

  it('reduces to s²/n for a mean metric (den = 1)', () => {
    // Trades per user 1, 2, 3, 4: mean 2.5, s² = (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3, s²/n = 5/12.
    const s = summarize([1, 2, 3, 4].map((num) => ({ num, den: 1 })));
    expectRelativelyClose(s.mean, 2.5);
    expectRelativelyClose(s.varianceOfMean, 5 / 12);
  });

  it('gives p(1 − p)/(n − 1) for a proportion', () => {
    // 3 of 4 users traded: p = 0.75, p(1 − p)/(n − 1) = 0.1875/3 = 0.0625.
    const s = summarize([1, 1, 1, 0].map((num) => ({ num, den: 1 })));
    expectRelativelyClose(s.mean, 0.75);
    expectRelativelyClose(s.varianceOfMean, 0.0625);
  });

  it('reports what it cannot estimate instead of NaN', () => {
    expect(new RatioAccumulator().summary()).toEqual({ n: 0, mean: null, varianceOfMean: null });
    expect(new RatioAccumulator().add(3, 10).summary()).toEqual({ n: 1, mean: 0.3, varianceOfMean: null });
    expect(new RatioAccumulator().add(0, 0).add(0, 0).summary()).toEqual({
      n: 2,
      mean: null,
      varianceOfMean: null,
    });
    expect(() => new RatioAccumulator().add(NaN, 1)).toThrow(RangeError);
  });

  it('merges shards and round-trips its sums', () => {
    const pairs: [number, number][] = [
      [1, 5],
      [0, 3],
      [2, 7],
      [0, 0],
      [4, 9],
    ];
    const whole = new RatioAccumulator();
    const left = new RatioAccumulator();
    const right = new RatioAccumulator();
    pairs.forEach(([x, y], i) => {
      whole.add(x, y);
      (i < 2 ? left : right).add(x, y);
    });
    expect(left.merge(right).summary()).toEqual(whole.summary());
    expect(RatioAccumulator.fromSums(whole.toSums()).summary()).toEqual(whole.summary());
  });
});

describe('compareToControl', () => {
  const arm = (mean: number, varianceOfMean: number): RatioSummary => ({ n: 1000, mean, varianceOfMean });
  const estimate = (result: LiftResult) => {
    if (result.reason !== null) throw new Error(`unexpected degenerate result: ${result.reason}`);
    return result;
  };

  it('puts the 95% CI edge at 0 when z = 1.959964', () => {
    // Var(μc) = 0, so SE(Δ) = √Var(μt)/μc = 0.1/1.959964 and z = Δ/SE = 1.959964:
    // p = 0.05, CI = [0, 0.2], chance to beat control = Φ(1.959964) = 0.975.
    const r = estimate(compareToControl(arm(1, 0), arm(1.1, (0.1 / 1.959963984540054) ** 2)));
    expectRelativelyClose(r.relativeLift, 0.1, 1e-12);
    expectRelativelyClose(r.pValue, 0.05, 1e-9);
    expect(r.confidenceInterval.lower).toBeCloseTo(0, 12);
    expectRelativelyClose(r.confidenceInterval.upper, 0.2, 1e-9);
    expectRelativelyClose(r.chanceToBeatControl, 0.975, 1e-9);

    const worse = estimate(compareToControl(arm(1, 0), arm(0.9, (0.1 / 1.959963984540054) ** 2)));
    expectRelativelyClose(worse.pValue, 0.05, 1e-9);
    expectRelativelyClose(worse.chanceToBeatControl, 0.025, 1e-9);
  });

  it('combines both arms’ variances by the delta method', () => {
    // μc = 2, Var(μc) = 0.01; μt = 2.2, Var(μt) = 0.02; Δ = 0.1.
    // Var(Δ) = 0.02/2² + 2.2²·0.01/2⁴ = 0.005 + 0.003025 = 0.008025, SE = 0.0895824, z = 1.1162911.
    const r = estimate(compareToControl(arm(2, 0.01), arm(2.2, 0.02)));
    expectRelativelyClose(r.standardError, Math.sqrt(0.008025));
    expectRelativelyClose(r.confidenceInterval.lower, -0.07557820774820079, 1e-9);
    expectRelativelyClose(r.confidenceInterval.upper, 0.2755782077482008, 1e-9);
    expectRelativelyClose(r.pValue, 0.26429753101270703, 1e-9);
    expectRelativelyClose(r.chanceToBeatControl, 0.8678512344936464, 1e-9);

    const ninety = estimate(compareToControl(arm(2, 0.01), arm(2.2, 0.02), { confidenceLevel: 0.9 }));
    expectRelativelyClose(
      ninety.confidenceInterval.upper,
      0.1 + 1.6448536269514722 * Math.sqrt(0.008025),
      1e-9,
    );
  });

  it('compares trade conversion from per-user data', () => {
    // 100/1000 vs 120/1000 users traded: Var(p̂) = p(1 − p)/(n − 1), Δ = 0.2,
    // Var(Δ) = (0.12·0.88/999)/0.1² + 0.12²·(0.1·0.9/999)/0.1⁴ = (10.56 + 12.96)/999 = 23.52/999.
    const users = (traded: number) =>
      Array.from({ length: 1000 }, (_, i) => ({ num: i < traded ? 1 : 0, den: 1 }));
    const r = estimate(compareToControl(summarize(users(100)), summarize(users(120))));
    expectRelativelyClose(r.relativeLift, 0.2, 1e-12);
    expectRelativelyClose(r.standardError, Math.sqrt(23.52 / 999), 1e-12);
    expectRelativelyClose(r.pValue, 0.19242147832226186, 1e-9);
    expectRelativelyClose(r.chanceToBeatControl, 0.9037892608388691, 1e-9);
  });

  it('never puts the lower edge below −100%, where the treatment mean is 0', () => {
    // 9 users an arm, one of whom traded in each: Δ = 0, and SE ≈ 1.41, so Δ − 1.96·SE ≈ −2.77.
    const nine = (traded: number) =>
      Array.from({ length: 9 }, (_, i) => ({ num: i < traded ? 1 : 0, den: 1 }));
    const r = estimate(compareToControl(summarize(nine(1)), summarize(nine(1))));
    expect(r.relativeLift).toBeCloseTo(0, 12);
    expect(r.confidenceInterval.lower).toBe(-1);
    expect(r.confidenceInterval.upper).toBeGreaterThan(2.5);
  });

  it('names the degenerate cases and returns no NaN', () => {
    const none = { standardError: null, confidenceInterval: null, pValue: null, chanceToBeatControl: null };
    expect(compareToControl({ n: 1, mean: 1, varianceOfMean: null }, arm(1, 0.1))).toEqual({
      reason: 'insufficient-users',
      relativeLift: null,
      ...none,
    });
    expect(compareToControl(arm(1, 0.1), { n: 50, mean: null, varianceOfMean: null })).toEqual({
      reason: 'undefined-mean',
      relativeLift: null,
      ...none,
    });
    expect(compareToControl(arm(0, 0), arm(0.2, 0.01))).toEqual({
      reason: 'zero-control-mean',
      relativeLift: null,
      ...none,
    });
    const constant = compareToControl(arm(1, 0), arm(1.1, 0));
    expect(constant.reason).toBe('zero-variance');
    expect(constant.relativeLift).toBeCloseTo(0.1, 12);
    expect(() => compareToControl(arm(1, 0.1), arm(1, 0.1), { confidenceLevel: 95 })).toThrow(RangeError);
  });
});

describe('sampleRatioMismatch', () => {
  it('computes Pearson χ² and its p-value', () => {
    // 5100 vs 4900 at 50/50: χ² = 2·100²/5000 = 4, df = 1, p = P(|Z| > 2) = 0.0455.
    const mild = sampleRatioMismatch([5100, 4900], [0.5, 0.5]);
    expect(mild.chiSquared).toBeCloseTo(4, 12);
    expect(mild.degreesOfFreedom).toBe(1);
    expectRelativelyClose(mild.pValue, 0.04550026389635857, 1e-10);
    expect(mild.warning).toBe(false);

    // 5200 vs 4800: χ² = 16, p = P(|Z| > 4) = 6.33e-5 < 0.001.
    const severe = sampleRatioMismatch([5200, 4800], [1, 1]);
    expectRelativelyClose(severe.pValue, 6.334248366623988e-5, 1e-9);
    expect(severe.warning).toBe(true);

    // Three arms, 1000/1030/970 at equal weights: χ² = (0 + 900 + 900)/1000 = 1.8, df = 2, p = e^(−0.9).
    const three = sampleRatioMismatch([1000, 1030, 970], [1, 1, 1]);
    expect(three.chiSquared).toBeCloseTo(1.8, 12);
    expectRelativelyClose(three.pValue, Math.exp(-0.9), 1e-12);
    expect(sampleRatioMismatch([1000, 1030, 970], [1, 1, 1], { threshold: 0.5 }).warning).toBe(true);
  });

  it('honours unequal weights and empty experiments', () => {
    expect(sampleRatioMismatch([2000, 1000, 1000], [50, 25, 25])).toEqual({
      chiSquared: 0,
      degreesOfFreedom: 2,
      pValue: 1,
      warning: false,
    });
    expect(sampleRatioMismatch([0, 0], [1, 1]).pValue).toBe(1);
  });

  it('rejects malformed input', () => {
    expect(() => sampleRatioMismatch([1, 2], [1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1], [1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, 2], [1, 0])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, -2], [1, 1])).toThrow(RangeError);
  });
});

/** Seeded PRNG (mulberry32, public domain): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Knuth's Poisson sampler; fine for the small rates used here. */
function poisson(random: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = random();
  while (product > limit) {
    k += 1;
    product *= random();
  }
  return k;
}

/**
 * One arm of simulated users. Users differ in activity (impressions ~ Poisson(1..20)) and in taste
 * (click probability 0.3·u², mean 0.1), so a user's impressions are correlated: exactly the case
 * where treating impressions as independent understates the variance of CTR.
 */
function simulateArm(random: () => number, users: number, ctrMultiplier = 1) {
  const ctr = new RatioAccumulator();
  const conversion = new RatioAccumulator();
  const tradesPerUser = new RatioAccumulator();
  for (let u = 0; u < users; u++) {
    const impressions = poisson(random, 1 + 19 * random());
    const clickProbability = 0.3 * random() ** 2 * ctrMultiplier;
    let clicks = 0;
    for (let i = 0; i < impressions; i++) if (random() < clickProbability) clicks += 1;
    const trades = poisson(random, 0.6 * random());
    ctr.add(clicks, impressions);
    conversion.add(trades > 0 ? 1 : 0, 1);
    tradesPerUser.add(trades, 1);
  }
  return { ctr, conversion, tradesPerUser };
}

describe('calibration by simulation', () => {
  it('A/A tests: ~5% false positives and ~95% CI coverage for all three metrics', () => {
    const random = mulberry32(20240607);
    const experiments = 2000;
    const usersPerArm = 1000;
    const falsePositives = { ctr: 0, conversion: 0, tradesPerUser: 0 };
    let ctrCoverage = 0;
    let naiveCtrFalsePositives = 0;
    for (let e = 0; e < experiments; e++) {
      const control = simulateArm(random, usersPerArm);
      const treatment = simulateArm(random, usersPerArm);
      for (const metric of ['ctr', 'conversion', 'tradesPerUser'] as const) {
        const r = compareToControl(control[metric].summary(), treatment[metric].summary());
        if (r.reason !== null) throw new Error(`degenerate A/A result: ${r.reason}`);
        if (r.pValue < 0.05) falsePositives[metric] += 1;
        if (metric === 'ctr' && r.confidenceInterval.lower <= 0 && r.confidenceInterval.upper >= 0) {
          ctrCoverage += 1;
        }
      }
      // The wrong analysis, for contrast: impressions as independent Bernoulli trials.
      const c = control.ctr.toSums();
      const t = treatment.ctr.toSums();
      const pc = c.sumX / c.sumY;
      const pt = t.sumX / t.sumY;
      const naiveZ = (pt - pc) / Math.sqrt((pc * (1 - pc)) / c.sumY + (pt * (1 - pt)) / t.sumY);
      if (twoSidedPValue(naiveZ) < 0.05) naiveCtrFalsePositives += 1;
    }
    // With 2,000 experiments the rate's standard error is √(0.05·0.95/2000) ≈ 0.5%: bounds are ±4 SE.
    for (const count of Object.values(falsePositives)) {
      expect(count / experiments).toBeGreaterThan(0.03);
      expect(count / experiments).toBeLessThan(0.07);
    }
    expect(ctrCoverage / experiments).toBeGreaterThan(0.92);
    expect(ctrCoverage / experiments).toBeLessThan(0.98);
    // Why the delta method: ignoring per-user clustering flags far more than 5% of A/A tests.
    expect(naiveCtrFalsePositives / experiments).toBeGreaterThan(0.1);
  });

  it('detects a true +10% CTR with 20k users per arm', () => {
    const random = mulberry32(7);
    const control = simulateArm(random, 20_000).ctr.summary();
    const treatment = simulateArm(random, 20_000, 1.1).ctr.summary();
    const r = compareToControl(control, treatment);
    if (r.reason !== null) throw new Error(`degenerate result: ${r.reason}`);
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.confidenceInterval.lower).toBeGreaterThan(0);
    expect(r.confidenceInterval.lower).toBeLessThan(0.1); // the truth lies inside
    expect(r.confidenceInterval.upper).toBeGreaterThan(0.1);
    expect(r.chanceToBeatControl).toBeGreaterThan(0.99);
  });
});
