/**
 * Ranking metrics for offline evaluation (rankings as models/core/top-selector.ts orders them).
 */

import { MRR_DEPTH } from '../core/top-selector.js';

export { MRR_DEPTH };

export interface UserMetrics {
  ndcg: number;
  recall: number;
  hit: number;
  /** 1 / rank of the first relevant item within the top MRR_DEPTH, else 0. */
  rr: number;
}

/** 1 / log2(rank + 1) for rank = 1, 2, … (cached). */
const discounts: number[] = [];
export function discount(rank: number): number {
  while (discounts.length <= rank) discounts.push(1 / Math.log2(discounts.length + 1));
  return discounts[rank]!;
}

/**
 * Metrics of one user's ranking (best first; at least the top max(k, MRR_DEPTH) when that many
 * candidates exist) against their `numRelevant` relevant items, binary gains:
 * - nDCG@k = Σ_{relevant at rank r ≤ k} 1/log2(r + 1) ÷ Σ_{r = 1}^{min(numRelevant, k)} 1/log2(r + 1)
 * - recall@k = hits in the top k ÷ min(numRelevant, k)
 * - hit@k = 1 when the top k holds a relevant item
 * - rr = 1/r for the first relevant item at rank r ≤ MRR_DEPTH, else 0
 */
export function userMetrics(
  ranked: ArrayLike<number>,
  isRelevant: (item: number) => boolean,
  numRelevant: number,
  k: number,
): UserMetrics {
  if (numRelevant <= 0) return { ndcg: 0, recall: 0, hit: 0, rr: 0 };
  let hits = 0;
  let dcg = 0;
  let rr = 0;
  const depth = Math.min(ranked.length, Math.max(k, MRR_DEPTH));
  for (let r = 0; r < depth; r++) {
    if (!isRelevant(ranked[r]!)) continue;
    if (rr === 0 && r < MRR_DEPTH) rr = 1 / (r + 1);
    if (r < k) {
      hits++;
      dcg += discount(r + 1);
    }
  }
  const ideal = Math.min(numRelevant, k);
  return { ndcg: dcg / idealDcg(ideal), recall: hits / ideal, hit: hits > 0 ? 1 : 0, rr };
}

/** DCG of `n` relevant items at ranks 1 … n: nDCG's normaliser. */
export function idealDcg(n: number): number {
  let idcg = 0;
  for (let r = 1; r <= n; r++) idcg += discount(r);
  return idcg;
}
