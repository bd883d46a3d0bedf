import { describe, expect, it } from 'vitest';
import type { Recommender, TrainSet } from '../../models/core/types.js';
import { evaluateRecommender } from '../../models/eval/evaluate.js';
import { TopSelector } from '../../models/core/top-selector.js';
import { MRR_DEPTH, userMetrics } from '../../models/eval/metrics.js';
import type { EvalSplit } from '../../models/eval/split.js';

const L3 = 1 / Math.log2(3);

describe('userMetrics', () => {
  it('computes binary-gain nDCG, recall, hit and reciprocal rank', () => {
    const rel = new Set([1, 2]);
    const m = userMetrics([3, 1, 4, 0, 2], (i) => rel.has(i), 2, 3);
    expect(m.ndcg).toBeCloseTo(L3 / (1 + L3), 12);
    expect(m.recall).toBe(0.5);
    expect(m.hit).toBe(1);
    expect(m.rr).toBe(0.5);
  });

  it('normalises by min(|relevant|, k)', () => {
    const rel = new Set([7, 8, 9]);
    const m = userMetrics([8, 7, 9], (i) => rel.has(i), 3, 2);
    expect(m).toEqual({ ndcg: 1, recall: 1, hit: 1, rr: 1 });
    const miss = userMetrics([1, 8, 2], (i) => rel.has(i), 3, 2);
    expect(miss.ndcg).toBeCloseTo(L3 / (1 + L3), 12);
    expect(miss.recall).toBe(0.5);
  });

  it('counts reciprocal rank only within the top 100', () => {
    const ranked = Array.from({ length: 150 }, (_, r) => r);
    expect(userMetrics(ranked, (i) => i === 99, 1, 10).rr).toBeCloseTo(1 / 100, 12);
    expect(userMetrics(ranked, (i) => i === 100, 1, 10)).toEqual({ ndcg: 0, recall: 0, hit: 0, rr: 0 });
    // with k above 100 the top k still counts for hits
    expect(userMetrics(ranked, (i) => i === 120, 1, 150)).toMatchObject({ hit: 1, rr: 0 });
  });
});

describe('TopSelector', () => {
  it('ranks by score descending, ties by index, NaN last (after -Infinity)', () => {
    const scores = Float32Array.from([1, 2, 2, NaN, 2, -Infinity, NaN]);
    const all = [0, 1, 2, 3, 4, 5, 6];
    const s = new TopSelector(3);
    expect([...s.select(scores, all, 3)]).toEqual([1, 2, 4]);
    expect([...s.select(scores, all, 10)]).toEqual([1, 2, 4, 0, 5, 3, 6]);
    const skip = Int32Array.from([0, 0, 5, 0, 0, 0, 0]);
    expect([...s.select(scores, all, 2, skip, 5)]).toEqual([1, 4]);
    expect([...s.select(scores, [6, 3, 0], 2)]).toEqual([0, 3]);
  });

  it('agrees with a full sort on random scores with many ties', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const s = new TopSelector();
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + Math.floor(rand() * 500);
      const scores = Float32Array.from({ length: n }, () => (rand() < 0.05 ? NaN : Math.floor(rand() * 20)));
      const candidates = Array.from({ length: n }, (_, i) => i).filter(() => rand() < 0.8);
      const expected = [...candidates]
        .sort((a, b) => {
          const sa = scores[a]!;
          const sb = scores[b]!;
          if (Number.isNaN(sa) !== Number.isNaN(sb)) return Number.isNaN(sa) ? 1 : -1;
          return (Number.isNaN(sa) ? 0 : sb - sa) || a - b;
        })
        .slice(0, MRR_DEPTH);
      expect([...s.select(scores, candidates, MRR_DEPTH)]).toEqual(expected);
    }
  });
});

describe('evaluateRecommender', () => {
  // Items 0..4; item 4 has no training row, so it is never a candidate.
  const train: TrainSet = {
    log: {
      userIds: ['u0', 'u1', 'u2'],
      itemIds: ['a', 'b', 'c', 'd', 'e'],
      user: Int32Array.from([0, 0, 1, 1, 2]),
      item: Int32Array.from([0, 1, 0, 2, 3]),
      ts: Float64Array.from([1, 2, 3, 4, 5]),
      weight: Float32Array.from([1, 1, 1, 1, 1]),
    },
    numUsers: 3,
    numItems: 5,
    cutoffMs: 6,
  };
  const split = {
    train,
    // u0 → c, d; u1 → d; u2 has none and is not evaluated.
    test: { user: Int32Array.from([0, 0, 1]), item: Int32Array.from([2, 3, 3]) },
    info: {} as EvalSplit['info'],
  } satisfies EvalSplit;
  const fixed = (scores: number[]): Recommender & { calls: number[] } => ({
    name: 'fixed',
    calls: [],
    async fit() {},
    scoreUser(user, out) {
      this.calls.push(user);
      out.set(scores);
    },
  });

  it('ranks the candidates minus the user’s own training items and averages over test users', async () => {
    // u0 ranks [c, d] (tie on 3: index order); u1 ranks [b, d].
    const rec = fixed([5, 4, 3, 3, 10]);
    const at1 = await evaluateRecommender(rec, split, { k: 1 });
    expect(rec.calls).toEqual([0, 1]);
    expect(at1).toEqual({
      metrics: { 'ndcg@1': 0.5, 'recall@1': 0.5, 'hr@1': 0.5, mrr: 0.75, coverage: 0.5 },
      users: 2,
      candidates: 4,
      // Per user, in user order, for paired comparisons: u0 hits at rank 1, u1 at rank 2.
      perUser: {
        'ndcg@1': Float64Array.from([1, 0]),
        'recall@1': Float64Array.from([1, 0]),
        'hr@1': Float64Array.from([1, 0]),
        mrr: Float64Array.from([1, 0.5]),
      },
    });
    const at2 = await evaluateRecommender(fixed([5, 4, 3, 3, 10]), split, { k: 2 });
    expect(at2.metrics['ndcg@2']).toBeCloseTo((1 + L3) / 2, 12);
    expect(at2.metrics).toMatchObject({ 'recall@2': 1, 'hr@2': 1, mrr: 0.75, coverage: 0.75 });
  });

  it('ranks NaN scores and unwritten items last, and takes explicit candidates', async () => {
    const partial: Recommender = {
      name: 'partial',
      async fit() {},
      scoreUser(_user, out) {
        out[1] = 1; // everything else stays NaN
      },
    };
    // u0: [c, d] by index among NaNs; u1: [b, d].
    const r = await evaluateRecommender(partial, split, { k: 1 });
    expect(r.metrics).toMatchObject({ 'hr@1': 0.5, mrr: 0.75 });
    const only = await evaluateRecommender(fixed([5, 4, 3, 3, 10]), split, {
      k: 1,
      candidates: Int32Array.from([3, 4]),
    });
    // u0: [e, d] → d at rank 2; u1: [e, d] → d at rank 2. Coverage: {e} of 2 candidates.
    expect(only).toMatchObject({
      metrics: { 'hr@1': 0, mrr: 0.5, coverage: 0.5 },
      candidates: 2,
    });
  });
});
