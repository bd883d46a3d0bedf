import { describe, expect, it } from 'vitest';
import {
  affinityRanker,
  evaluate,
  popularityRanker,
  randomRanker,
  temporalSplit,
  type Metrics,
} from './offline-eval.js';
import { DAY_MS, run } from './fixture.js';

/**
 * The data must reward learning preferences: on a temporal split, a per-user series/category
 * affinity ranker learned from the first 80% of the window beats global popularity on the last 20%,
 * and popularity in turn beats random, so it is a real baseline and not a strawman.
 *
 * One sampled exchange is not enough to say so: how far each ranker leads swings with the seed. Over
 * seeds 1–40 (2,000 users, 14 days, ending at TEST_END; measured with the simulator's temporal
 * dynamics, #19) affinity/popularity was 1.24–3.97 on Recall@10 and 1.19–4.26 on NDCG@10,
 * popularity/random 1.57–7.47 and 1.63–6.81: so a single seed clears 1.25 and 2 on most seeds, not
 * all (seed 1: 1.19 on NDCG; seeds 16 and 19: 1.57 and 1.63). The claims are therefore over five
 * seeds: every seed ranks the three in order, and the mean ratio over the five clears the margins.
 * The mean of five consecutive seeds' ratios was at least 1.90 (recall) and 2.01 (NDCG) for
 * affinity/popularity and 2.24 and 2.30 for popularity/random over seeds 1–40, so 1.25 and 2 leave
 * room. (Before the dynamics, popularity/random was 2.93–10.6 and its means of five at least 4.1:
 * all-history popularity forecasts less now that series go in and out of fashion and markets fade,
 * which is the point of them; test/simulator/dynamics.test.ts.)
 */
const SEEDS = [1, 2, 3, 4, 5];
const DAYS = 14;

describe('simulated data carries preference signal, on every one of five seeds', () => {
  const bySeed = SEEDS.map((seed) => {
    const { sim, markets, interactions } = run(seed, 2000, DAYS);
    const split = temporalSplit(interactions, markets, sim.end, DAYS * DAY_MS);
    return {
      seed,
      candidates: split.candidates.length,
      affinity: evaluate(split, affinityRanker(split)),
      popularity: evaluate(split, popularityRanker(split)),
      random: evaluate(split, randomRanker(split, 1)),
    };
  });
  /** The mean over the seeds of one ranker's metric divided by another's. */
  const meanRatio = (metric: 'recall' | 'ndcg', better: Metrics[], worse: Metrics[]) =>
    better.reduce((sum, b, i) => sum + b[metric] / worse[i]![metric], 0) / better.length;
  const affinity = bySeed.map((r) => r.affinity);
  const popularity = bySeed.map((r) => r.popularity);
  const random = bySeed.map((r) => r.random);

  it('evaluates hundreds of users over hundreds of open markets', () => {
    for (const r of bySeed) {
      console.info(`signal @10 seed ${r.seed}`, JSON.stringify(r));
      // Over seeds 1–40: 572–652 users, 578–623 candidates.
      expect(r.affinity.users, `seed ${r.seed}`).toBeGreaterThan(300);
      expect(r.candidates, `seed ${r.seed}`).toBeGreaterThan(300);
    }
  });

  it('affinity beats popularity on every seed, by a clear margin on Recall@10 and NDCG@10', () => {
    for (const r of bySeed) {
      expect(r.affinity.recall, `seed ${r.seed}`).toBeGreaterThan(r.popularity.recall);
      expect(r.affinity.ndcg, `seed ${r.seed}`).toBeGreaterThan(r.popularity.ndcg);
    }
    expect(meanRatio('recall', affinity, popularity)).toBeGreaterThan(1.25);
    expect(meanRatio('ndcg', affinity, popularity)).toBeGreaterThan(1.25);
  });

  it('popularity beats random on every seed, by a clear margin', () => {
    for (const r of bySeed) {
      expect(r.popularity.recall, `seed ${r.seed}`).toBeGreaterThan(r.random.recall);
      expect(r.popularity.ndcg, `seed ${r.seed}`).toBeGreaterThan(r.random.ndcg);
    }
    expect(meanRatio('recall', popularity, random)).toBeGreaterThan(2);
    expect(meanRatio('ndcg', popularity, random)).toBeGreaterThan(2);
  });
});
