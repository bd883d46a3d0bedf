import { describe, expect, it } from 'vitest';
import { iso } from '../../src/simulator/calendar.js';
import { Rng } from '../../src/util/rng.js';

const draw = (rng: Rng, n: number, f: (r: Rng) => number) => Array.from({ length: n }, () => f(rng));
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2));
};

describe('Rng', () => {
  it('is a pure function of its key path', () => {
    const a = draw(Rng.of(42, 'users', 7), 5, (r) => r.uint32());
    expect(draw(Rng.of(42, 'users', 7), 5, (r) => r.uint32())).toEqual(a);
    expect(draw(Rng.of(42, 'users', 8), 5, (r) => r.uint32())).not.toEqual(a);
    expect(draw(Rng.of(43, 'users', 7), 5, (r) => r.uint32())).not.toEqual(a);
    expect(draw(Rng.of(42, 'user', 7), 5, (r) => r.uint32())).not.toEqual(a);
  });

  it('draws from the distributions it names', () => {
    const rng = Rng.of(1);
    const uniform = draw(rng, 50_000, (r) => r.next());
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(mean(uniform)).toBeCloseTo(0.5, 2);
    const normal = draw(rng, 50_000, (r) => r.normal());
    expect(mean(normal)).toBeCloseTo(0, 1);
    expect(variance(normal)).toBeCloseTo(1, 1);
    expect(mean(draw(rng, 50_000, (r) => r.poisson(3.5)))).toBeCloseTo(3.5, 1);
    expect(mean(draw(rng, 50_000, (r) => r.gamma(0.4)))).toBeCloseTo(0.4, 1);
    expect(mean(draw(rng, 20_000, (r) => r.geometric(0.25)))).toBeCloseTo(3, 0);
    const picks = draw(rng, 40_000, (r) => r.weighted([1, 3]));
    expect(mean(picks)).toBeCloseTo(0.75, 1);
    const cumulative = draw(rng, 40_000, (r) => r.weightedCumulative([1, 1, 4]));
    expect(cumulative.filter((i) => i === 2).length / 40_000).toBeCloseTo(0.75, 1);
    const dirichlet = rng.dirichlet([0.2, 0.2, 0.2, 0.2]);
    expect(dirichlet.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
  });
});

describe('iso', () => {
  it('formats exactly like Date#toISOString', () => {
    const rng = Rng.of(3);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(rng.range(0, 4e12));
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(iso(Date.UTC(2026, 10, 22, 23, 59, 59, 999))).toBe('2026-11-22T23:59:59.999Z');
  });
});
