import { describe, expect, it } from 'vitest';
import { bootstrapMean } from '../../models/eval/bootstrap.js';
import { Rng } from '../../src/util/rng.js';

const noisy = (n: number, mean: number, seed: number) => {
  const rng = Rng.of(seed, 'bootstrap-test');
  return Float64Array.from({ length: n }, () => mean + (rng.next() - 0.5));
};

describe('bootstrap intervals over users', () => {
  it('brackets the mean, and narrows as users are added', () => {
    const small = bootstrapMean(noisy(50, 0.3, 1), { seed: 1 });
    const large = bootstrapMean(noisy(2000, 0.3, 1), { seed: 1 });
    for (const ci of [small, large]) {
      expect(ci.low).toBeLessThan(ci.mean);
      expect(ci.high).toBeGreaterThan(ci.mean);
    }
    // The width of a mean's interval shrinks as 1/√n: 40× the users, about a sixth of the width.
    expect((large.high - large.low) / (small.high - small.low)).toBeLessThan(0.3);
    expect(large.low).toBeGreaterThan(0.28);
    expect(large.high).toBeLessThan(0.32);
  });

  it('pairs users: a shift shared by every user is certain, however noisy the users are', () => {
    const a = noisy(100, 0.2, 2);
    const b = a.map((x) => x - 0.01);
    const paired = bootstrapMean(a, { seed: 3, paired: b });
    expect(paired.mean).toBeCloseTo(0.01, 12);
    expect(paired.low).toBeCloseTo(0.01, 12);
    expect(paired.high).toBeCloseTo(0.01, 12);
    // Unpaired, the same two lines' intervals overlap: the users' own spread hides the lead.
    const ia = bootstrapMean(a, { seed: 3 });
    const ib = bootstrapMean(b, { seed: 3 });
    expect(ia.low).toBeLessThan(ib.high);
  });

  it('is reproducible by seed, and refuses lines over different users', () => {
    const a = noisy(80, 0.5, 4);
    expect(bootstrapMean(a, { seed: 9 })).toEqual(bootstrapMean(a, { seed: 9 }));
    expect(() => bootstrapMean(a, { paired: a.subarray(1) })).toThrow(/not the same users/);
    expect(bootstrapMean(new Float64Array(0))).toEqual({ mean: 0, low: 0, high: 0 });
  });
});
