import { discount } from '../../../models/eval/metrics.js';
import { Rng } from '../../util/rng.js';
import { blendScores } from '../pipeline/rank-feed.js';

/** One validation user: their candidates' blend terms (row-major, T per candidate) and which are relevant. */
export interface AscentUser {
  terms: Float64Array;
  hit: Uint8Array;
  /** Ideal DCG@k of the user's relevant items (all of them, candidates or not). */
  ideal: number;
}

export interface AscentOptions {
  k: number;
  /** Candidate values per term. */
  grids: readonly (readonly number[])[];
  /** A term kept fixed as the scale of the others (−1: none). */
  anchor: number;
  /** @defaultValue 3 */
  rounds?: number;
  /** A move must gain at least this much mean nDCG. @defaultValue 1e-4 */
  minGain?: number;
}

/**
 * Mean nDCG@k of the users' candidates ordered by terms·w, each user counted `count[u]` times (a
 * bootstrap resample), or once.
 */
export function meanNdcg(
  users: readonly AscentUser[],
  w: Float64Array,
  k: number,
  count?: Int32Array,
): number {
  let sum = 0;
  let n = 0;
  for (let u = 0; u < users.length; u++) {
    const c = count ? count[u]! : 1;
    if (c === 0) continue;
    const { terms, hit, ideal } = users[u]!;
    sum += (c * dcgAtK(blendScores(terms, w, new Float64Array(hit.length)), hit, k)) / ideal;
    n += c;
  }
  return n > 0 ? sum / n : 0;
}

/** Each user's nDCG@k with their candidates ordered by terms·w. */
export function userNdcgs(users: readonly AscentUser[], w: Float64Array, k: number): Float64Array {
  return Float64Array.from(users, ({ terms, hit, ideal }) => {
    return dcgAtK(blendScores(terms, w, new Float64Array(hit.length)), hit, k) / ideal;
  });
}

/**
 * Coordinate ascent on mean nDCG@k (Metzler & Croft, "Linear feature-based models for information
 * retrieval", 2007): term by term, the grid value that gains most, for a few rounds. Each trial
 * moves one weight, so scores are updated by that term alone, not recomputed.
 */
export function coordinateAscent(
  users: readonly AscentUser[],
  start: Float64Array,
  options: AscentOptions,
  count?: Int32Array,
): { weights: Float64Array; ndcg: number } {
  const { k, grids, anchor, rounds = 3, minGain = 1e-4 } = options;
  const T = start.length;
  const w = Float64Array.from(start);
  const weightOf = (u: number) => (count ? count[u]! : 1);
  const counted = users.map((_, u) => u).filter((u) => weightOf(u) > 0);
  const total = counted.reduce((a, u) => a + weightOf(u), 0);
  if (total === 0) return { weights: w, ndcg: 0 };
  // Users without a relevant candidate score 0 whatever the weights: counted in the mean, never ranked.
  const active = counted.filter((u) => users[u]!.hit.includes(1));
  // A term constant within every user's candidates cannot reorder them: never tried.
  const varies = Array.from({ length: T }, (_, t) => active.some((u) => termVaries(users[u]!.terms, T, t)));
  // Per user, the current scores.
  const scores = active.map((u) => blendScores(users[u]!.terms, w, new Float64Array(users[u]!.hit.length)));
  const topScore = new Float64Array(k);
  const topHit = new Uint8Array(k);
  /** Mean nDCG with term t moved by delta; `apply` keeps the move in `scores`. */
  const evaluate = (t: number, delta: number, apply: boolean) => {
    let sum = 0;
    for (let a = 0; a < active.length; a++) {
      const u = active[a]!;
      const { terms, hit, ideal } = users[u]!;
      const s = scores[a]!;
      if (apply) for (let j = 0; j < hit.length; j++) s[j]! += delta * terms[j * T + t]!;
      sum +=
        (weightOf(u) * dcgOfShifted(s, terms, T, t, apply ? 0 : delta, hit, k, topScore, topHit)) / ideal;
    }
    return sum / total;
  };
  let best = evaluate(0, 0, false);
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let t = 0; t < T; t++) {
      if (t === anchor || !varies[t]) continue;
      const kept = w[t]!;
      let bestValue = kept;
      for (const value of grids[t]!) {
        if (value === kept) continue;
        const score = evaluate(t, value - kept, false);
        if (score > best + minGain) {
          best = score;
          bestValue = value;
        }
      }
      if (bestValue !== kept) {
        evaluate(t, bestValue - kept, true);
        w[t] = bestValue;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { weights: w, ndcg: best };
}

/**
 * Bagged coordinate ascent: the mean of the weights ascended on `bags` bootstrap resamples of the
 * users. On a few hundred validation users, single ascents land on different, equally good
 * optima that rank the next period very differently; their average is a steadier blend.
 * `outOfBag[u]` is user u's nDCG@k under the weights of the bags that left them out (their mean;
 * NaN when every bag drew them): what the ascent is worth on users it did not fit.
 */
export function baggedAscent(
  users: readonly AscentUser[],
  start: Float64Array,
  options: AscentOptions & { bags: number; seed: number },
): { weights: Float64Array; outOfBag: Float64Array } {
  const rng = Rng.of(options.seed, 'blend-bagging');
  const sum = new Float64Array(start.length);
  const outSum = new Float64Array(users.length);
  const outBags = new Int32Array(users.length);
  for (let b = 0; b < options.bags; b++) {
    const count = new Int32Array(users.length);
    for (let i = 0; i < users.length; i++) count[rng.int(users.length)]!++;
    const { weights } = coordinateAscent(users, start, options, count);
    for (let t = 0; t < sum.length; t++) sum[t]! += weights[t]!;
    const left = users.flatMap((_, u) => (count[u] === 0 ? [u] : []));
    const ndcg = userNdcgs(
      left.map((u) => users[u]!),
      weights,
      options.k,
    );
    left.forEach((u, i) => {
      outSum[u]! += ndcg[i]!;
      outBags[u]!++;
    });
  }
  return {
    weights: sum.map((x) => x / options.bags),
    outOfBag: outSum.map((x, u) => (outBags[u]! > 0 ? x / outBags[u]! : NaN)),
  };
}

/** DCG@k of the candidates ordered by score (ties: the earlier candidate, as the pipeline's top-k). */
export function dcgAtK(scores: Float64Array, hit: Uint8Array, k: number): number {
  return dcgOfShifted(scores, scores, 1, 0, 0, hit, k, new Float64Array(k), new Uint8Array(k));
}

/** Whether term t takes more than one value among a user's candidates (terms row-major, T per candidate). */
function termVaries(terms: Float64Array, T: number, t: number): boolean {
  for (let o = T + t; o < terms.length; o += T) if (terms[o] !== terms[t]) return true;
  return false;
}

/**
 * DCG@k of the candidates ordered by scores[j] + delta·terms[j·T + t], without materialising the
 * shifted scores (the ascent's inner loop); `topScore` and `topHit` are scratch of length k.
 */
function dcgOfShifted(
  scores: Float64Array,
  terms: Float64Array,
  T: number,
  t: number,
  delta: number,
  hit: Uint8Array,
  k: number,
  topScore: Float64Array,
  topHit: Uint8Array,
): number {
  const n = hit.length;
  topScore.fill(-Infinity);
  let filled = 0;
  for (let j = 0; j < n; j++) {
    const s = scores[j]! + delta * terms[j * T + t]!;
    if (filled === k && s <= topScore[k - 1]!) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && topScore[p - 1]! < s) {
      topScore[p] = topScore[p - 1]!;
      topHit[p] = topHit[p - 1]!;
      p--;
    }
    topScore[p] = s;
    topHit[p] = hit[j]!;
  }
  let dcg = 0;
  for (let p = 0; p < filled; p++) if (topHit[p]) dcg += discount(p + 1);
  return dcg;
}
