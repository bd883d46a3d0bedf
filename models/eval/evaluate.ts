import type { Recommender } from '../core/types.js';
import { TopSelector } from '../core/top-selector.js';
import { MRR_DEPTH, userMetrics } from './metrics.js';
import type { EvalSplit } from './split.js';

export interface EvaluateOptions {
  /** Cut-off of nDCG, recall, hit rate and coverage. */
  k: number;
  /**
   * What each user's ranking runs over: every item with a training row (the default), or an
   * explicit list (the cold-start split's new items, its default when it has them). A user's own
   * training items are never candidates.
   */
  candidates?: 'train-items' | Int32Array;
  /** Called with the share of evaluated users done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** Averages over evaluated users; keys `ndcg@<k>`, `recall@<k>`, `hr@<k>`, `mrr`, `coverage`. */
export type RankingMetrics = Record<string, number>;

export interface EvaluationResult {
  metrics: RankingMetrics;
  /** Users with at least one test item. */
  users: number;
  /** Size of the candidate set (the coverage denominator). */
  candidates: number;
  /**
   * Each evaluated user's value of every per-user metric (all but coverage), in user index order:
   * the same users in the same order for every recommender on one split, so two results pair up
   * for a bootstrap (bootstrap.ts).
   */
  perUser: PerUserMetrics;
}

/** Metric name → each evaluated user's value (see `EvaluationResult.perUser`). */
export type PerUserMetrics = Record<string, Float64Array>;

/**
 * Scores every evaluated user once over the full candidate set (never sampled) and averages the
 * metrics of ./metrics.ts. Coverage is the share of candidates that appear in at least one user's
 * top k. Yields to the event loop now and then so that progress reports and job locks keep going.
 */
export async function evaluateRecommender(
  rec: Recommender,
  split: EvalSplit,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const { train, test } = split;
  const { numUsers, numItems } = train;
  const trainByUser = groupByUser(train.log.user, train.log.item, numUsers);
  const testByUser = groupByUser(test.user, test.item, numUsers);
  const candidates = candidateItems(split, options.candidates, numItems);

  const scores = new Float32Array(numItems);
  const stamp = new Int32Array(numItems); // user + 1 on the user's training items
  const relevant = new Int32Array(numItems); // user + 1 on the user's test items
  const inTopK = new Uint8Array(numItems);
  const selector = new TopSelector(Math.max(k, MRR_DEPTH));
  const isRelevant = (item: number) => relevant[item] === current;
  let current = 0;
  let users = 0;
  let evaluatedUsers = 0;
  for (let u = 0; u < numUsers; u++) if (testByUser.start[u + 1]! > testByUser.start[u]!) evaluatedUsers++;
  let ndcg = 0;
  const userNdcg = new Float64Array(evaluatedUsers);
  const userRecall = new Float64Array(evaluatedUsers);
  const userHit = new Float64Array(evaluatedUsers);
  const userRr = new Float64Array(evaluatedUsers);
  let recall = 0;
  let hits = 0;
  let rr = 0;
  let lastYield = Date.now();

  for (let u = 0; u < numUsers; u++) {
    const from = testByUser.start[u]!;
    const to = testByUser.start[u + 1]!;
    if (to === from) continue;
    current = u + 1;
    for (let t = trainByUser.start[u]!; t < trainByUser.start[u + 1]!; t++)
      stamp[trainByUser.item[t]!] = current;
    let numRelevant = 0;
    for (let t = from; t < to; t++) {
      const item = testByUser.item[t]!;
      if (relevant[item] !== current) numRelevant++;
      relevant[item] = current;
    }
    scores.fill(NaN);
    rec.scoreUser(u, scores);
    const ranked = selector.select(scores, candidates, Math.max(k, MRR_DEPTH), stamp, current);
    const m = userMetrics(ranked, isRelevant, numRelevant, k);
    ndcg += m.ndcg;
    userNdcg[users] = m.ndcg;
    userRecall[users] = m.recall;
    userHit[users] = m.hit;
    userRr[users] = m.rr;
    recall += m.recall;
    hits += m.hit;
    rr += m.rr;
    for (let r = 0; r < Math.min(k, ranked.length); r++) inTopK[ranked[r]!] = 1;
    users++;
    if (Date.now() - lastYield > 50) {
      options.onProgress?.(users / evaluatedUsers);
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
  options.onProgress?.(1);
  let covered = 0;
  for (let c = 0; c < candidates.length; c++) covered += inTopK[candidates[c]!]!;
  const mean = (x: number) => (users > 0 ? x / users : 0);
  return {
    metrics: {
      [`ndcg@${k}`]: mean(ndcg),
      [`recall@${k}`]: mean(recall),
      [`hr@${k}`]: mean(hits),
      mrr: mean(rr),
      coverage: candidates.length > 0 ? covered / candidates.length : 0,
    },
    users,
    candidates: candidates.length,
    perUser: { [`ndcg@${k}`]: userNdcg, [`recall@${k}`]: userRecall, [`hr@${k}`]: userHit, mrr: userRr },
  };
}

function candidateItems(
  split: EvalSplit,
  option: EvaluateOptions['candidates'],
  numItems: number,
): Int32Array {
  const chosen = option ?? split.candidates ?? 'train-items';
  if (chosen !== 'train-items') return chosen;
  const seen = new Uint8Array(numItems);
  const items = split.train.log.item;
  for (let r = 0; r < items.length; r++) seen[items[r]!] = 1;
  const out: number[] = [];
  for (let i = 0; i < numItems; i++) if (seen[i]) out.push(i);
  return Int32Array.from(out);
}

/** Items of each user (CSR: `item[start[u]..start[u + 1])`), in row order. */
export function groupByUser(
  user: Int32Array,
  item: Int32Array,
  numUsers: number,
): { start: Int32Array; item: Int32Array } {
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < user.length; r++) start[user[r]! + 1]!++;
  for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, numUsers);
  const out = new Int32Array(user.length);
  for (let r = 0; r < user.length; r++) out[fill[user[r]!]!++] = item[r]!;
  return { start, item: out };
}
