import { describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../models/data/from-store.js';
import { evaluateRecommender } from '../../models/eval/evaluate.js';
import { temporalSplit, type EvalSplit } from '../../models/eval/split.js';
import { servingModels } from '../../models/kinds.js';
import { TwoTowerModel } from '../../models/two-tower/model.js';
import {
  blendValidationSet,
  fitServedBlend,
  learnBlend,
  validationFolds,
} from '../../src/feed/offline/blend-fit.js';
import { meanNdcg, type AscentUser } from '../../src/feed/offline/coordinate-ascent.js';
import { BLEND_TERMS, weightVector } from '../../src/feed/pipeline/rank-feed.js';
import { Rng } from '../../src/util/rng.js';
import { offlineNeighbours } from '../../src/feed/offline/offline-neighbours.js';
import { ServedRankerRecommender } from '../../src/feed/offline/served-ranker.js';
import { getRanker } from '../../src/feed/rankers/rankers.js';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { simulateToStore, TEST_END } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';
import { DAY_MS } from '../helpers/fixed-clock.js';

/** A simulated exchange's temporal split (20% held out), its store closed afterwards. */
async function withSplit(
  exchange: { seed: number; users: number; days: number },
  fn: (split: EvalSplit) => Promise<void>,
): Promise<void> {
  const store = await openTestStore();
  try {
    await simulateToStore(store, { ...exchange, end: TEST_END });
    const data = await loadTrainingData(store, { to: TEST_END });
    await fn(temporalSplit(data.log, { testFraction: 0.2, content: data.content }));
  } finally {
    await store.close();
  }
}

describe('offline co-interaction neighbours', () => {
  const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  /** Rows (user, item), all one day before `asOf`, weight 1. */
  const log = (pairs: [number, number][], users = 6, items = 5) => ({
    userIds: ids(users, 'u'),
    itemIds: ids(items, 'm'),
    user: Int32Array.from(pairs, (p) => p[0]),
    item: Int32Array.from(pairs, (p) => p[1]),
    ts: Float64Array.from(pairs, () => TEST_END.getTime() - DAY_MS),
    weight: Float32Array.from(pairs, () => 1),
  });

  it('scores pairs by co-users over the root of both audiences, as market_neighbours does', () => {
    // m0: users 0–3; m1: users 0–2; m2: users 0 and 4; m3: user 5 alone with m4.
    const pairs: [number, number][] = [
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [0, 1],
      [1, 1],
      [2, 1],
      [0, 2],
      [4, 2],
      [5, 3],
      [5, 4],
    ];
    const neighbours = offlineNeighbours(log(pairs), TEST_END.getTime());
    expect(neighbours.get('m0')).toEqual([{ ticker: 'm1', score: 3 / Math.sqrt(4 * 3) }]);
    expect(neighbours.get('m1')).toEqual([{ ticker: 'm0', score: 3 / Math.sqrt(3 * 4) }]);
    // One co-user is below minCoUsers (2): noise, dropped.
    expect(neighbours.has('m2')).toBe(false);
    expect(neighbours.has('m3')).toBe(false);
  });

  it('counts only recent interest, and each user’s strongest markets', () => {
    const pairs: [number, number][] = [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ];
    const old = log(pairs);
    old.ts.fill(TEST_END.getTime() - DEFAULT_FEATURE_CONFIG.neighbours.lookbackMs - DAY_MS);
    expect(offlineNeighbours(old, TEST_END.getTime()).size).toBe(0);
    const capped = {
      ...DEFAULT_FEATURE_CONFIG,
      neighbours: { ...DEFAULT_FEATURE_CONFIG.neighbours, perUser: 1 },
    };
    expect(offlineNeighbours(log(pairs), TEST_END.getTime(), capped).size).toBe(0);
  });
});

describe('learned blend of the served ranker', () => {
  it('ranks the test period better than the configured weights, on five sampled exchanges', async () => {
    // Measured with these settings (400 users, 10 days, dim 32, 4 epochs) on the simulator with its
    // temporal dynamics, time-local negatives, the blend's start chosen and its ascent kept only when
    // it wins out of bag, judged by the lists the feed serves, as blend-fit.ts does (#19): nDCG@10
    // gains of +0.017, +0.050, +0.037, +0.047 and 0.000 for seeds 1–5 (mean +0.030; seeds 2 and 3
    // serve category affinity's weights, seed 5 the configured ones) on 57–93 evaluated users, where
    // one user's hit moves nDCG by about 0.01. Judged by the candidates' order (before the signals'
    // spread floor): +0.010, +0.047, +0.044, +0.060 and 0.000 (mean +0.032); before the out-of-bag
    // check: +0.010, +0.001, +0.048, +0.060 and −0.027 (mean +0.018).
    // So the mean gain must be at least 0.016 (half the measured mean), and no seed may lose more
    // than one user's hit.
    const gains: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      await withSplit({ seed, users: 400, days: 10 }, async (split) => {
        const hyperparameters = { dim: 32, epochs: 4, batchSize: 256 };
        const model = new TwoTowerModel(hyperparameters);
        await model.fit(split.train, { seed: 1 });
        const serving = (await servingModels([model], 'test')).get('two-tower');
        const config = getRanker('two-tower')!;
        const blend = await fitServedBlend(split.train, config, { hyperparameters, seed: 1 });
        expect(blend, `seed ${seed}`).toBeDefined();
        // Fitted on the training window's last rows: it ends at the cut, before the test period.
        expect(blend!.validation.to).toBe(split.info.cutoff);
        expect(Date.parse(blend!.validation.from)).toBeLessThan(Date.parse(split.info.cutoff));
        const ndcg = async (weights?: typeof blend) => {
          const ranker = new ServedRankerRecommender(config, {
            model: () => serving,
            ...(weights ? { weights: () => weights.weights } : {}),
          });
          await ranker.fit(split.train, { seed: 1 });
          return (await evaluateRecommender(ranker, split, { k: 10 })).metrics['ndcg@10']!;
        };
        const gain = (await ndcg(blend)) - (await ndcg());
        expect(gain, `seed ${seed}`).toBeGreaterThan(-0.01);
        gains.push(gain);
      });
    }
    expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThan(0.016);
  }, 300_000);

  it('takes a baseline’s kind of blend when the slice clearly prefers it to the model', () => {
    // 300 users, 40 candidates each, one relevant: the model's score points away from it (cosine
    // −0.9 against 0.8 for the others) and what predicts is recency-weighted popularity (+0.8 sd).
    // From the configured weights (model 3, anchored as the scale) no grid weight of recency (at most
    // 5) makes up for the model's 3 × 1.7; from recency alone the ascent leaves the model out.
    const T = BLEND_TERMS.length;
    const rng = Rng.of(1, 'synthetic-slice');
    const users: AscentUser[] = Array.from({ length: 300 }, () => {
      const n = 40;
      const terms = new Float64Array(n * T);
      const hit = new Uint8Array(n);
      hit[0] = 1;
      for (let j = 0; j < n; j++) {
        terms[j * T + BLEND_TERMS.indexOf('model')] = j === 0 ? -0.9 : 0.8 + 0.2 * (rng.next() - 0.5);
        terms[j * T + BLEND_TERMS.indexOf('recency')] = (j === 0 ? 0.8 : 0) + 0.3 * (rng.next() - 0.5);
      }
      return { terms, hit, ideal: 1 };
    });
    const learned = learnBlend(users, getRanker('two-tower')!, { k: 10, bags: 2, seed: 1 });
    // Several baselines' starts reach it; the first in order is kept.
    expect(learned.start).not.toBe('configured');
    expect(learned.ndcg).toBeGreaterThan(0.9);
    expect(learned.w[BLEND_TERMS.indexOf('model')]).toBe(0);
  });

  /**
   * Users with 40 candidates, one relevant; every term random, except that the relevant candidate's
   * popularity is raised by `signal` standard deviations.
   */
  const slice = (users: number, signal: number, seed: number): AscentUser[] => {
    const T = BLEND_TERMS.length;
    const rng = Rng.of(seed, 'synthetic-noise');
    return Array.from({ length: users }, () => {
      const n = 40;
      const terms = Float64Array.from({ length: n * T }, () => rng.next() - 0.5);
      const hit = new Uint8Array(n);
      hit[0] = 1;
      terms[BLEND_TERMS.indexOf('popularity')]! += signal;
      return { terms, hit, ideal: 1 };
    });
  };

  it('keeps the configured weights where the ascent only fits the slice', () => {
    // On noise the ascent still finds weights that rank the slice better (it is fitted on it); on
    // the users each bag left out they are no better, so the configured weights serve.
    const config = getRanker('two-tower')!;
    const users = slice(80, 0, 2);
    const learned = learnBlend(users, config, { k: 10, bags: 2, seed: 1 });
    expect(learned.start).toBe('configured');
    expect(learned.learned).toBe(false);
    expect(learned.outOfBag.low).toBeLessThanOrEqual(0);
    expect(learned.outOfBag.users).toBeGreaterThan(40);
    expect([...learned.w]).toEqual(BLEND_TERMS.map((t) => config.weights[t]));
  });

  it('under leave-last-out, starts without the terms that describe the cut', () => {
    // A user's held-out row can be anywhere in time, so what is popular at the cut is no prior:
    // where the ascent only fits the slice, the configured weights serve without those terms.
    const config = getRanker('two-tower')!;
    const learned = learnBlend(slice(80, 0, 2), config, { k: 10, bags: 2, seed: 1, startWithoutNow: true });
    expect(learned.learned).toBe(false);
    const now = ['popularity', 'recency', 'trend', 'freshness', 'closingSoon'];
    expect([...learned.w]).toEqual(BLEND_TERMS.map((t) => (now.includes(t) ? 0 : config.weights[t])));
    expect(config.weights.recency).toBeGreaterThan(0);
  });

  it('serves no weight on a term that never varies on the slice', () => {
    // A log whose days before each validation period were empty: popularity over the last 24 hours
    // is zero for every candidate there, so the slice cannot tell what it is worth, and the
    // configured weight would serve on whatever the last day before the cut happened to hold.
    const config = getRanker('two-tower')!;
    const users = slice(80, 0, 2).map((u) => {
      for (let o = BLEND_TERMS.indexOf('popularity'); o < u.terms.length; o += BLEND_TERMS.length)
        u.terms[o] = 0;
      return u;
    });
    const learned = learnBlend(users, config, { k: 10, bags: 2, seed: 1 });
    expect(config.weights.popularity).toBeGreaterThan(0);
    expect(learned.learned).toBe(false);
    expect([...learned.w]).toEqual(BLEND_TERMS.map((t) => (t === 'popularity' ? 0 : config.weights[t])));
  });

  it('serves the ascended weights where they rank users they were not fitted on better', () => {
    const config = getRanker('two-tower')!;
    const learned = learnBlend(slice(300, 0.6, 3), config, { k: 10, bags: 2, seed: 1 });
    expect(learned.learned).toBe(true);
    expect(learned.outOfBag.low).toBeGreaterThan(0);
    expect(learned.w[BLEND_TERMS.indexOf('popularity')]).toBeGreaterThan(config.weights.popularity);
  });

  it('keeps the configured weights where what the ascent learned held only in the periods it saw', () => {
    // Three validation periods of 100 users; in each, a different term marks the relevant
    // candidate (popularity, then trend, then freshness) and is noise in the others: news that
    // passes. Bootstrap bags would vouch for the ascent (the users they leave out share the
    // periods it fitted); an ascent that did not see a period does not rank it better.
    const config = getRanker('two-tower')!;
    const marks = ['popularity', 'trend', 'freshness'] as const;
    const users = marks.flatMap((term, period) =>
      slice(100, 0, 10 + period).map((u) => {
        u.terms[BLEND_TERMS.indexOf(term)]! += 0.8;
        return { ...u, period };
      }),
    );
    const learned = learnBlend(users, config, { k: 10, bags: 2, seed: 1 });
    expect(learned.learned).toBe(false);
    expect(learned.outOfBag.users).toBe(300); // every user judged by the ascent that left their period out
    expect(learned.outOfBag.low).toBeLessThanOrEqual(0);
    const pooled = learnBlend(
      users.map(({ period: _, ...u }) => u),
      config,
      { k: 10, bags: 2, seed: 1 },
    );
    expect(pooled.learned).toBe(true);
  });

  it('fits the validation model with the served model’s epochs under leave-last-out only', async () => {
    await withSplit({ seed: 2, users: 200, days: 6 }, async (split) => {
      const config = getRanker('two-tower')!;
      const epochsSeen = async (protocol: 'temporal' | 'leave-last-out') => {
        const stages = new Set<string>();
        const target = protocol === 'leave-last-out' ? 'each-users-last' : 'after-cut';
        const folds = validationFolds({ ...split.train, target }, { horizonMs: DAY_MS });
        const options = {
          seed: 1,
          hyperparameters: { epochs: 4, batchSize: 8 }, // batches enough to report each epoch
          onProgress: (_: number, stage: string) => stages.add(stage),
        };
        await blendValidationSet(folds, config, options, 10);
        return [...stages].filter((s) => s.startsWith('validation model: epoch'));
      };
      // A quarter of the epochs judges a temporal blend; under leave-last-out the validation model
      // is fitted on all but each user's last row, as the served one, and a weaker one misleads.
      expect(await epochsSeen('temporal')).toEqual(['validation model: epoch 1/1']);
      expect(await epochsSeen('leave-last-out')).toContain('validation model: epoch 4/4');
    });
  });

  it('judges a blend by the list the feed serves, after diversity and exploration', async () => {
    await withSplit({ seed: 2, users: 200, days: 6 }, async (split) => {
      // A model-free ranker, so that the evaluator's ranker and the validation set rank alike.
      const config = getRanker('category-affinity')!;
      const users = (await blendValidationSet([split], config, { seed: 1 }, 10))!;
      const ranker = new ServedRankerRecommender(config);
      await ranker.fit(split.train, { seed: 1 });
      const served = (await evaluateRecommender(ranker, split, { k: 10 })).metrics['ndcg@10']!;
      const w = weightVector(config.weights);
      // The validation users' nDCG under the ranker's weights is the evaluator's, user for user.
      expect(meanNdcg(users, w, 10)).toBeCloseTo(served, 9);
      // Ordering the candidates by score alone is another list: diversity moves its top ten.
      const byScore = users.map(({ served: _, ...user }) => user);
      expect(Math.abs(meanNdcg(byScore, w, 10) - served)).toBeGreaterThan(1e-3);
    });
  });

  it('is not fitted on a slice too small to learn from', async () => {
    await withSplit({ seed: 1, users: 40, days: 3 }, async (split) => {
      const config = getRanker('two-tower')!;
      expect(await fitServedBlend(split.train, config, { seed: 1, minUsers: 1000 })).toBeUndefined();
    });
  });
});
