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

describe('the ascent’s early-stopping scan', () => {
  /** nDCG@k by sorting every candidate (ties: the earlier one): the definition, not the fast path. */
  function plainNdcg(users: readonly AscentUser[], w: Float64Array, k: number): number {
    const T = w.length;
    let sum = 0;
    for (const { terms, hit, ideal } of users) {
      const score = Array.from(hit, (_, j) => w.reduce((s, x, t) => s + x * terms[j * T + t]!, 0));
      const order = score.map((_, j) => j).sort((x, y) => score[y]! - score[x]! || x - y);
      sum += order.slice(0, k).reduce((d, j, p) => d + (hit[j] ? 1 / Math.log2(p + 2) : 0), 0) / ideal;
    }
    return sum / users.length;
  }

  /** The same grid search, every trial scored from scratch by plainNdcg. */
  function plainAscent(users: readonly AscentUser[], start: Float64Array, grids: number[][], k: number) {
    const w = Float64Array.from(start);
    let best = plainNdcg(users, w, k);
    for (let round = 0; round < 3; round++) {
      let moved = false;
      for (let t = 1; t < w.length; t++) {
        const kept = w[t]!;
        let bestValue = kept;
        for (const value of grids[t]!) {
          if (value === kept) continue;
          const score = plainNdcg(
            users,
            Float64Array.from(w, (x, i) => (i === t ? value : x)),
            k,
          );
          if (score > best + 1e-4) {
            best = score;
            bestValue = value;
          }
        }
        moved ||= bestValue !== kept;
        w[t] = bestValue;
      }
      if (!moved) break;
    }
    return { weights: w, ndcg: best };
  }

  it('learns exactly what scoring every candidate in every trial learns, ties included', () => {
    // Four terms on a coarse lattice (many equal scores), three relevant candidates of 80, a signed grid.
    const rng = Rng.of(7, 'ascent-exact');
    const T = 4;
    const users: AscentUser[] = Array.from({ length: 60 }, () => {
      const n = 80;
      const terms = Float64Array.from({ length: n * T }, () => Math.round(rng.next() * 4) / 4);
      const hit = Uint8Array.from({ length: n }, (_, j) => (j % 27 === 5 ? 1 : 0));
      for (let j = 0; j < n; j++) if (hit[j]) terms[j * T + 2]! += 0.5;
      return { terms, hit, ideal: 1 + 1 / Math.log2(3) + 1 / Math.log2(4) };
    });
    const grids = [[1], [-1, 0, 0.5, 2], [0, 0.25, 1, 3], [0, 1, 5]];
    const start = Float64Array.from([1, 0.5, 0, 1]);
    const fast = coordinateAscent(users, start, { k: 10, grids, anchor: 0 });
    const plain = plainAscent(users, start, grids, 10);
    expect([...fast.weights]).toEqual([...plain.weights]);
    expect(fast.ndcg).toBeCloseTo(plain.ndcg, 12);
    expect(fast.weights[2]).toBeGreaterThan(0);
  });
});
