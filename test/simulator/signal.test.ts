import { describe, expect, it } from 'vitest';
import { affinityRanker, evaluate, popularityRanker, randomRanker, temporalSplit } from './offline-eval.js';
import { DAY_MS, run } from './fixture.js';

/**
 * The data must reward learning preferences: on a temporal split, a per-user series/category
 * affinity ranker learned from the first 80% of the window beats global popularity on the last 20%,
 * and popularity in turn beats random, so it is a real baseline and not a strawman.
 */
describe('simulated data carries preference signal', () => {
  const DAYS = 14;
  const { sim, markets, interactions } = run(7, 2000, DAYS);
  const split = temporalSplit(interactions, markets, sim.end, DAYS * DAY_MS);
  const results = {
    affinity: evaluate(split, affinityRanker(split)),
    popularity: evaluate(split, popularityRanker(split)),
    random: evaluate(split, randomRanker(split, 1)),
  };

  it('evaluates hundreds of users over hundreds of open markets', () => {
    console.info('signal @10', JSON.stringify(results), 'candidates', split.candidates.length);
    expect(results.affinity.users).toBeGreaterThan(300);
    expect(split.candidates.length).toBeGreaterThan(300);
  });

  it('affinity beats popularity by a clear margin on Recall@10 and NDCG@10', () => {
    expect(results.affinity.recall).toBeGreaterThan(1.25 * results.popularity.recall);
    expect(results.affinity.ndcg).toBeGreaterThan(1.25 * results.popularity.ndcg);
  });

  it('popularity beats random by a clear margin', () => {
    expect(results.popularity.recall).toBeGreaterThan(3 * results.random.recall);
    expect(results.popularity.ndcg).toBeGreaterThan(3 * results.random.ndcg);
  });
});
