import { describe, expect, it } from 'vitest';
import {
  baggedAscent,
  coordinateAscent,
  meanNdcg,
  userNdcgs,
  type AscentUser,
} from '../../src/feed/offline/coordinate-ascent.js';
import { Rng } from '../../src/util/rng.js';

/**
 * Users with 50 candidates and two terms: term 0 is noise, term 1 marks the 3 relevant candidates
 * (plus noise). A blend weighing only term 0 ranks them at random; weighing term 1 finds them.
 */
function problem(users: number, seed: number): AscentUser[] {
  const rng = Rng.of(seed, 'ascent-test');
  return Array.from({ length: users }, () => {
    const n = 50;
    const terms = new Float64Array(n * 2);
    const hit = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      hit[j] = j < 3 ? 1 : 0;
      terms[2 * j] = rng.next();
      terms[2 * j + 1] = (hit[j] ? 0.6 : 0) + 0.5 * rng.next();
    }
    return { terms, hit, ideal: 1 + 1 / Math.log2(3) + 1 / Math.log2(4) };
  });
}

const options = {
  k: 10,
  grids: [
    [0, 1, 2],
    [0, 0.5, 1, 2, 5],
  ],
  anchor: 0,
};

describe('coordinate ascent of the blend', () => {
  it('moves the weights towards the term that finds the relevant candidates', () => {
    const users = problem(100, 1);
    const start = Float64Array.from([1, 0]);
    const before = meanNdcg(users, start, 10);
    const { weights, ndcg } = coordinateAscent(users, start, options);
    expect(weights[0]).toBe(1); // the anchor keeps the scale
    expect(weights[1]).toBeGreaterThanOrEqual(2);
    expect(ndcg).toBeGreaterThan(before + 0.3);
    // The incrementally updated scores agree with scoring from scratch.
    expect(ndcg).toBeCloseTo(meanNdcg(users, weights, 10), 12);
  });

  it('counts users without a relevant candidate in the mean, and learns the same weights', () => {
    const users = problem(100, 1);
    const missed = problem(50, 4).map((u) => ({ ...u, hit: new Uint8Array(u.hit.length) }));
    const start = Float64Array.from([1, 0]);
    const alone = coordinateAscent(users, start, { ...options, minGain: 0 });
    const withMissed = coordinateAscent([...users, ...missed], start, { ...options, minGain: 0 });
    expect(withMissed.weights).toEqual(alone.weights);
    expect(withMissed.ndcg).toBeCloseTo((alone.ndcg * 100) / 150, 12);
    expect(withMissed.ndcg).toBeCloseTo(meanNdcg([...users, ...missed], withMissed.weights, 10), 12);
  });

  it('averages the weights of bootstrap resamples, reproducibly by seed, and scores the users each left out', () => {
    const users = problem(60, 2);
    const start = Float64Array.from([1, 0]);
    const bagged = baggedAscent(users, start, { ...options, bags: 6, seed: 3 });
    expect(bagged.weights[0]).toBe(1);
    expect(bagged.weights[1]).toBeGreaterThan(1);
    expect(baggedAscent(users, start, { ...options, bags: 6, seed: 3 })).toEqual(bagged);
    expect(meanNdcg(users, bagged.weights, 10)).toBeGreaterThan(meanNdcg(users, start, 10) + 0.3);
    // Six bags leave out most users at least once (each bag about 37%); those users' out-of-bag
    // nDCG is well above the start's, as the problem's signal generalises.
    const left = [...bagged.outOfBag.keys()].filter((u) => !Number.isNaN(bagged.outOfBag[u]));
    expect(left.length).toBeGreaterThan(50);
    const startNdcg = userNdcgs(users, start, 10);
    const gain = left.reduce((a, u) => a + bagged.outOfBag[u]! - startNdcg[u]!, 0) / left.length;
    expect(gain).toBeGreaterThan(0.3);
  });
});
