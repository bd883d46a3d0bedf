import { discount } from '../../../models/eval/metrics.js';
import { Rng } from '../../util/rng.js';
import { blendScores } from '../pipeline/rank-feed.js';

/** One validation user: their candidates' blend terms (row-major, T per candidate) and which are relevant. */
export interface AscentUser {
  terms: Float64Array;
  hit: Uint8Array;
  /** Ideal DCG@k of the user's relevant items (all of them, candidates or not). */
  ideal: number;
  /**
   * The candidates' positions in the list the feed serves under weights w (after diversity and
   * exploration, rank-feed.ts servedOrder), when known: what blends are judged by (userNdcgs).
   * The ascent itself moves on the candidates' order by score, which it can update term by term.
   */
  served?: (w: Float64Array) => ArrayLike<number>;
  /** The validation period the user's hits fall in (blend-fit.ts validationFolds), when known. */
  period?: number;
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
  /**
   * Stop each trial's scan at the first candidate that cannot reach the top k (the same result);
   * false visits every candidate (the benchmark's baseline). @defaultValue true
   */
  earlyStop?: boolean;
}

/** Mean nDCG@k of the users' lists under w (userNdcgs). */
export function meanNdcg(users: readonly AscentUser[], w: Float64Array, k: number): number {
  const ndcg = userNdcgs(users, w, k);
  return ndcg.length ? ndcg.reduce((a, b) => a + b, 0) / ndcg.length : 0;
}

/**
 * Each user's nDCG@k under weights w: of the list the feed serves (`served`) when the user carries
 * it, else of their candidates ordered by terms·w.
 */
export function userNdcgs(users: readonly AscentUser[], w: Float64Array, k: number): Float64Array {
  return Float64Array.from(users, ({ terms, hit, ideal, served }) => {
    // Whatever the weights, a user without a relevant candidate scores 0: not ranked.
    if (!hit.includes(1)) return 0;
    if (!served) return dcgAtK(blendScores(terms, w, new Float64Array(hit.length)), hit, k) / ideal;
    const positions = served(w);
    let dcg = 0;
    for (let p = 0; p < Math.min(k, positions.length); p++) if (hit[positions[p]!]) dcg += discount(p + 1);
    return dcg / ideal;
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
  const { k, grids, anchor, rounds = 3, minGain = 1e-4, earlyStop = true } = options;
  const T = start.length;
  const w = Float64Array.from(start);
  const weightOf = (u: number) => (count ? count[u]! : 1);
  const counted = users.map((_, u) => u).filter((u) => weightOf(u) > 0);
  const total = counted.reduce((a, u) => a + weightOf(u), 0);
  if (total === 0) return { weights: w, ndcg: 0 };
  // Users without a relevant candidate score 0 whatever the weights: counted in the mean, never ranked.
  const active = counted.filter((u) => users[u]!.hit.includes(1));
  // Per user: the current scores; the terms by column (a trial reads one term of every candidate,
  // contiguous here), with each column's range; the candidates by current score, best first, so
  // that a trial stops at the first candidate that cannot reach the top k whatever its term.
  const scores = active.map((u) => blendScores(users[u]!.terms, w, new Float64Array(users[u]!.hit.length)));
  const columns = active.map((u) => termColumns(users[u]!));
  // A term constant within every user's candidates cannot reorder them: never tried.
  const varies = Array.from({ length: T }, (_, t) => columns.some(({ max, min }) => max[t]! > min[t]!));
  const order = scores.map((s) => byScore(s, new Int32Array(s.length)));
  const top: TopK = { score: new Float64Array(k), index: new Int32Array(k), hit: new Uint8Array(k) };
  /** Mean nDCG with term t moved by delta; `apply` keeps the move in `scores`. */
  const evaluate = (t: number, delta: number, apply: boolean) => {
    let sum = 0;
    for (let a = 0; a < active.length; a++) {
      const u = active[a]!;
      const { hit, ideal } = users[u]!;
      const n = hit.length;
      const s = scores[a]!;
      const { values, max, min } = columns[a]!;
      const o = t * n;
      if (apply) {
        for (let j = 0; j < n; j++) s[j]! += delta * values[o + j]!;
        resort(s, order[a]!);
      }
      const shift = apply ? 0 : delta;
      // No candidate's term moves its score by more than this.
      const reach = !earlyStop ? Infinity : shift >= 0 ? shift * max[t]! : shift * min[t]!;
      sum += (weightOf(u) * dcgOfShifted(s, order[a]!, values, o, shift, reach, hit, k, top)) / ideal;
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
 * Bagged coordinate ascent: the mean of the weights ascended on several subsets of the users, and
 * each user's nDCG@k under the weights of the bags that left them out (their mean; NaN when every
 * bag drew them): what the ascent is worth on users it did not fit. On a few hundred validation
 * users, single ascents land on different, equally good optima that rank the next period very
 * differently; their average is a steadier blend.
 *
 * Users from two or more validation periods (`period`): one bag per period, each ascended on the
 * other periods, so every user is judged by an ascent that did not see their period, as the served
 * blend will be judged on the next one. Users of one period share its markets and its news: a
 * bootstrap over users leaves out users whose period the ascent fitted, and vouches for what held
 * only then (bagCounts). Users from one period: `bags` bootstrap resamples.
 */
export function baggedAscent(
  users: readonly AscentUser[],
  start: Float64Array,
  options: AscentOptions & { bags: number; seed: number },
): { weights: Float64Array; outOfBag: Float64Array } {
  const counts = bagCounts(users, options);
  const sum = new Float64Array(start.length);
  const outSum = new Float64Array(users.length);
  const outBags = new Int32Array(users.length);
  for (const count of counts) {
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
    weights: sum.map((x) => x / counts.length),
    outOfBag: outSum.map((x, u) => (outBags[u]! > 0 ? x / outBags[u]! : NaN)),
  };
}

/**
 * How often each user counts in each bag: leave one period out per bag when the users come from
 * two or more periods, else bootstrap resamples. On 24 small simulated logs (12–66 test users),
 * ascents kept because they beat their start on the users a bootstrap left out ranked the test
 * period worse than their start on five of the seven logs where they were kept: the served
 * two-tower's mean nDCG@10 was 0.0840, against 0.0939 serving the configured weights everywhere
 * (both with recency 2 in them); judged on a period they did not see, 0.0876 (BENCHMARKS.md).
 */
function bagCounts(users: readonly AscentUser[], options: { bags: number; seed: number }): Int32Array[] {
  const periods = [...new Set(users.map((u) => u.period ?? 0))].sort((a, b) => a - b);
  if (periods.length > 1)
    return periods.map((p) => Int32Array.from(users, (u) => ((u.period ?? 0) === p ? 0 : 1)));
  const rng = Rng.of(options.seed, 'blend-bagging');
  return Array.from({ length: options.bags }, () => {
    const count = new Int32Array(users.length);
    for (let i = 0; i < users.length; i++) count[rng.int(users.length)]!++;
    return count;
  });
}

/** DCG@k of the candidates ordered by score (ties: the earlier candidate, as the pipeline's top-k). */
export function dcgAtK(scores: Float64Array, hit: Uint8Array, k: number): number {
  // Every candidate in index order (no order to stop early by), unshifted.
  const n = scores.length;
  if (inIndexOrder.length < n) {
    inIndexOrder = Int32Array.from({ length: n }, (_, j) => j);
    noShift = new Float64Array(n);
  }
  const top: TopK = { score: new Float64Array(k), index: new Int32Array(k), hit: new Uint8Array(k) };
  return dcgOfShifted(scores, inIndexOrder.subarray(0, n), noShift, 0, 0, Infinity, hit, k, top);
}
/** dcgAtK's scan order and shift, shared by every call (grown to the longest candidate list). */
let inIndexOrder = new Int32Array(0);
let noShift = new Float64Array(0);

/** Scratch of the top k: scores, candidate indexes and hits, best first. */
interface TopK {
  score: Float64Array;
  index: Int32Array;
  hit: Uint8Array;
}

/** `into`: the candidates' indexes by score, best first (ties: the earlier candidate). */
function byScore(scores: Float64Array, into: Int32Array): Int32Array {
  for (let j = 0; j < into.length; j++) into[j] = j;
  return into.sort((x, y) => scores[y]! - scores[x]! || x - y);
}

/**
 * `order` (by earlier scores) re-sorted as byScore after a move: an insertion sort, linear in the
 * candidates plus how many pairs the move swapped; a move of one term swaps few.
 */
function resort(scores: Float64Array, order: Int32Array): void {
  for (let i = 1; i < order.length; i++) {
    const j = order[i]!;
    const s = scores[j]!;
    let p = i;
    for (; p > 0; p--) {
      const before = order[p - 1]!;
      if (scores[before]! > s || (scores[before] === s && before < j)) break;
      order[p] = before;
    }
    order[p] = j;
  }
}

/**
 * DCG@k of the candidates ordered by scores[j] + delta·columns[offset + j] (one term of each; ties:
 * the earlier candidate), without materialising the shifted scores: the ascent's inner loop.
 * Candidates are visited by their unshifted score, best first (`order`); `reach` bounds every
 * candidate's shift, so once a candidate's score plus `reach` is below the k-th shifted score, no
 * later one can enter the top k and the scan stops (floating-point addition is monotone, so the
 * result is exactly that of a full scan).
 */
function dcgOfShifted(
  scores: Float64Array,
  order: Int32Array,
  columns: Float64Array,
  offset: number,
  delta: number,
  reach: number,
  hit: Uint8Array,
  k: number,
  top: TopK,
): number {
  const n = order.length;
  const { score: topScore, index: topIndex, hit: topHit } = top;
  let filled = 0;
  for (let r = 0; r < n; r++) {
    const j = order[r]!;
    if (filled === k && scores[j]! + reach < topScore[k - 1]!) break;
    const s = scores[j]! + delta * columns[offset + j]!;
    if (filled === k && (s < topScore[k - 1]! || (s === topScore[k - 1]! && j > topIndex[k - 1]!))) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && (topScore[p - 1]! < s || (topScore[p - 1]! === s && topIndex[p - 1]! > j))) {
      topScore[p] = topScore[p - 1]!;
      topIndex[p] = topIndex[p - 1]!;
      topHit[p] = topHit[p - 1]!;
      p--;
    }
    topScore[p] = s;
    topIndex[p] = j;
    topHit[p] = hit[j]!;
  }
  let dcg = 0;
  for (let p = 0; p < filled; p++) if (topHit[p]) dcg += discount(p + 1);
  return dcg;
}

/** A user's terms by column (T columns of one value per candidate) and each column's range. */
interface TermColumns {
  values: Float64Array;
  max: Float64Array;
  min: Float64Array;
}
const columnCache = new WeakMap<AscentUser, TermColumns>();
/** Computed once per user (every bag's ascent reads them). */
function termColumns(user: AscentUser): TermColumns {
  let columns = columnCache.get(user);
  if (!columns) {
    const n = user.hit.length;
    const T = user.terms.length / Math.max(1, n);
    const values = new Float64Array(user.terms.length);
    const max = new Float64Array(T).fill(-Infinity);
    const min = new Float64Array(T).fill(Infinity);
    for (let j = 0; j < n; j++)
      for (let t = 0; t < T; t++) {
        const x = user.terms[j * T + t]!;
        values[t * n + j] = x;
        if (x > max[t]!) max[t] = x;
        if (x < min[t]!) min[t] = x;
      }
    columns = { values, max, min };
    columnCache.set(user, columns);
  }
  return columns;
}
