import type { InteractionLog, ItemContent, TrainSet } from '../core/types.js';
import { selectRows } from '../data/interaction-log.js';

/**
 * The offline evaluation protocol: how a log becomes training rows and held-out test rows, the same
 * for every model and baseline so their metrics compare.
 *
 * Every split first deduplicates (user, item) pairs: a pair is one row at its earliest timestamp,
 * whose weight is the sum of the pair's weights (so repeated interest still counts in training, but
 * a market the user already touched before the cut is never a test item). Rows are then sorted by
 * time, ties by user index then item index.
 */

export type SplitKind = 'temporal' | 'leave-last-out' | 'cold-start';

/** Test rows: (user, item) pairs, each pair at most once, in time order. */
export interface TestSet {
  user: Int32Array;
  item: Int32Array;
}

/** What a split did: the `"split"` object of `sibyl eval --json`. */
export interface SplitInfo {
  kind: SplitKind;
  testFraction?: number;
  /** ISO-8601 of the cut (for leave-last-out: one millisecond after the last training row). */
  cutoff: string;
  /** ISO-8601 of the latest held-out row: with the cut, the period the test covers. */
  testEnd?: string;
  /** Rows in the input, before deduplication. */
  inputRows: number;
  /** Distinct (user, item) pairs. */
  pairs: number;
  trainRows: number;
  testRows: number;
  /** Held-out rows that could not be evaluated (user or item unseen in training; see each split). */
  droppedTestRows: number;
  /** Vocabulary sizes (every id of the input). */
  users: number;
  items: number;
  /** Items with at least one training row. */
  trainItems: number;
  /** Users with at least one test row. */
  evaluatedUsers: number;
  /** Cold start only: items whose first interaction is at or after the cut (the candidates). */
  newItems?: number;
}

export interface EvalSplit {
  train: TrainSet;
  test: TestSet;
  info: SplitInfo;
  /** Cold start: the items to rank (the new items), ascending. Otherwise every training item is a candidate. */
  candidates?: Int32Array;
}

export interface SplitOptions {
  /** Content per item index, passed through to the training set. */
  content?: readonly ItemContent[];
}

export interface FractionSplitOptions extends SplitOptions {
  /** Share of the (deduplicated) rows, by time, held out: 0 < f < 1. */
  testFraction: number;
}

export function makeSplit(
  log: InteractionLog,
  options: SplitOptions & { kind: SplitKind; testFraction?: number },
): EvalSplit {
  const testFraction = options.testFraction ?? 0.2;
  switch (options.kind) {
    case 'temporal':
      return temporalSplit(log, { ...options, testFraction });
    case 'leave-last-out':
      return leaveLastOutSplit(log, options);
    case 'cold-start':
      return coldStartSplit(log, { ...options, testFraction });
  }
}

/**
 * Temporal: `cut = ts[min(floor((1 − f)·n), n − 1)]` over the n deduplicated rows sorted by time;
 * training rows are strictly before the cut, test rows at or after it. Test rows whose user or item
 * has no training row are dropped (counted in `droppedTestRows`).
 */
export function temporalSplit(log: InteractionLog, options: FractionSplitOptions): EvalSplit {
  const rows = dedupeSorted(log);
  const { cut, trainEnd } = cutAt(rows, options.testFraction);
  const trainUser = markUsed(rows.user, 0, trainEnd, log.userIds.length);
  const trainItem = markUsed(rows.item, 0, trainEnd, log.itemIds.length);
  const test: number[] = [];
  let dropped = 0;
  for (let r = trainEnd; r < rows.ts.length; r++) {
    if (trainUser[rows.user[r]!] && trainItem[rows.item[r]!]) test.push(r);
    else dropped++;
  }
  return assemble(log, rows, range(0, trainEnd), test, dropped, cut, options, {
    kind: 'temporal',
    testFraction: options.testFraction,
  });
}

/**
 * Leave-last-out: for each user with two or more deduplicated rows, the last one (latest timestamp;
 * on a tie the larger item index) is the test row and the others train. Test rows whose item has no
 * training row are dropped. The training set's cut is one millisecond after its last row.
 */
export function leaveLastOutSplit(log: InteractionLog, options: SplitOptions = {}): EvalSplit {
  const rows = dedupeSorted(log);
  const n = rows.ts.length;
  const numUsers = log.userIds.length;
  const count = new Int32Array(numUsers);
  const last = new Int32Array(numUsers).fill(-1);
  // Rows are sorted by (ts, user, item): a user's last row in that order is theirs by the tie rule.
  for (let r = 0; r < n; r++) {
    const u = rows.user[r]!;
    count[u]!++;
    last[u] = r;
  }
  const isTest = new Uint8Array(n);
  for (let u = 0; u < numUsers; u++) if (count[u]! >= 2) isTest[last[u]!] = 1;
  const train: number[] = [];
  const trainItem = new Uint8Array(log.itemIds.length);
  let maxTrainTs = -Infinity;
  for (let r = 0; r < n; r++) {
    if (isTest[r]) continue;
    train.push(r);
    trainItem[rows.item[r]!] = 1;
    maxTrainTs = Math.max(maxTrainTs, rows.ts[r]!);
  }
  const test: number[] = [];
  let dropped = 0;
  for (let r = 0; r < n; r++) {
    if (!isTest[r]) continue;
    if (trainItem[rows.item[r]!]) test.push(r);
    else dropped++;
  }
  return assemble(log, rows, train, test, dropped, maxTrainTs + 1, options, { kind: 'leave-last-out' });
}

/**
 * New-item cold start, for data with content: the cut and training rows are the temporal split's;
 * items whose first interaction is at or after the cut are new; test rows are (user, new item) rows
 * at or after the cut whose user has training rows (the others are dropped); the candidates are all
 * new items. It measures what content-based scoring gains over popularity on markets that training
 * never saw, which is the normal case for short-lived markets.
 */
export function coldStartSplit(log: InteractionLog, options: FractionSplitOptions): EvalSplit {
  const rows = dedupeSorted(log);
  const { cut, trainEnd } = cutAt(rows, options.testFraction);
  const numItems = log.itemIds.length;
  const trainUser = markUsed(rows.user, 0, trainEnd, log.userIds.length);
  const trainItem = markUsed(rows.item, 0, trainEnd, numItems);
  const isNew = new Uint8Array(numItems);
  for (let r = trainEnd; r < rows.ts.length; r++) {
    const i = rows.item[r]!;
    if (!trainItem[i]) isNew[i] = 1;
  }
  const test: number[] = [];
  let dropped = 0;
  for (let r = trainEnd; r < rows.ts.length; r++) {
    if (!isNew[rows.item[r]!]) continue;
    if (trainUser[rows.user[r]!]) test.push(r);
    else dropped++;
  }
  const candidates: number[] = [];
  for (let i = 0; i < numItems; i++) if (isNew[i]) candidates.push(i);
  const split = assemble(log, rows, range(0, trainEnd), test, dropped, cut, options, {
    kind: 'cold-start',
    testFraction: options.testFraction,
  });
  split.info.newItems = candidates.length;
  split.candidates = Int32Array.from(candidates);
  return split;
}

/**
 * Distinct (user, item) pairs at their earliest timestamp with their summed weight, sorted by time,
 * ties by user index then item index. Linear apart from the final sort: two counting sorts group
 * the pairs.
 */
export function dedupeSorted(log: InteractionLog): InteractionLog {
  const n = log.user.length;
  const byItem = countingSort(log.item, log.itemIds.length, identity(n));
  const byPair = countingSort(log.user, log.userIds.length, byItem);
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const ts = new Float64Array(n);
  const weight = new Float32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = byPair[k]!;
    const u = log.user[r]!;
    const i = log.item[r]!;
    if (m > 0 && user[m - 1] === u && item[m - 1] === i) {
      if (log.ts[r]! < ts[m - 1]!) ts[m - 1] = log.ts[r]!;
      weight[m - 1]! += log.weight[r]!;
    } else {
      user[m] = u;
      item[m] = i;
      ts[m] = log.ts[r]!;
      weight[m] = log.weight[r]!;
      m++;
    }
  }
  // Pairs are in (user, item) order, so a stable sort by time breaks ties by user, then item.
  const pairs: InteractionLog = {
    userIds: log.userIds,
    itemIds: log.itemIds,
    user: user.subarray(0, m),
    item: item.subarray(0, m),
    ts: ts.subarray(0, m),
    weight: weight.subarray(0, m),
  };
  return selectRows(pairs, stableArgsort(pairs.ts));
}

/**
 * Indices that sort `values` ascending, ties in index order: an LSD radix sort (four 16-bit passes,
 * stable by construction) over the IEEE-754 bits mapped to unsigned order. Linear, and an order of
 * magnitude faster than a comparator sort on millions of rows. NaN sorts after +Infinity.
 */
export function stableArgsort(values: Float64Array): Int32Array {
  const n = values.length;
  const bits = new Uint32Array(Float64Array.from(values, (v) => v + 0).buffer); // −0 → +0
  const little = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    let h = bits[2 * r + (little ? 1 : 0)]!;
    let l = bits[2 * r + (little ? 0 : 1)]!;
    // Negative numbers: flip every bit (larger magnitude sorts first); others: set the sign bit.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    lo[r] = l;
    hi[r] = h;
  }
  let order = identity(n);
  let nextOrder: Int32Array = new Int32Array(n);
  let nextLo = new Uint32Array(n);
  let nextHi = new Uint32Array(n);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let k = 0; k < n; k++) count[((word[k]! >>> shift) & 0xffff) + 1]!++;
    if (n === 0 || count[((word[0]! >>> shift) & 0xffff) + 1] === n) continue; // one digit: nothing moves
    for (let v = 0; v < 65536; v++) count[v + 1]! += count[v]!;
    for (let k = 0; k < n; k++) {
      const at = count[(word[k]! >>> shift) & 0xffff]!++;
      nextOrder[at] = order[k]!;
      nextLo[at] = lo[k]!;
      nextHi[at] = hi[k]!;
    }
    [order, nextOrder] = [nextOrder, order];
    [lo, nextLo] = [nextLo, lo];
    [hi, nextHi] = [nextHi, hi];
  }
  return order;
}

/** `order` stably re-sorted by `key[order[k]]` (keys in 0..numKeys−1). */
function countingSort(key: Int32Array, numKeys: number, order: Int32Array): Int32Array {
  const start = new Int32Array(numKeys + 1);
  for (let k = 0; k < order.length; k++) start[key[order[k]!]! + 1]!++;
  for (let v = 0; v < numKeys; v++) start[v + 1]! += start[v]!;
  const out = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const r = order[k]!;
    out[start[key[r]!]!++] = r;
  }
  return out;
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let k = 0; k < n; k++) a[k] = k;
  return a;
}

function range(from: number, to: number): Int32Array {
  const a = new Int32Array(Math.max(0, to - from));
  for (let k = 0; k < a.length; k++) a[k] = from + k;
  return a;
}

/** The cut timestamp and the first row at or after it, over rows sorted by time. */
function cutAt(rows: InteractionLog, testFraction: number): { cut: number; trainEnd: number } {
  if (!(testFraction > 0 && testFraction < 1))
    throw new RangeError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  const n = rows.ts.length;
  if (n === 0) throw new RangeError('no interactions to split');
  const cut = rows.ts[Math.min(Math.floor((1 - testFraction) * n), n - 1)]!;
  let trainEnd = 0;
  while (trainEnd < n && rows.ts[trainEnd]! < cut) trainEnd++;
  return { cut, trainEnd };
}

function markUsed(ids: Int32Array, from: number, to: number, size: number): Uint8Array {
  const used = new Uint8Array(size);
  for (let r = from; r < to; r++) used[ids[r]!] = 1;
  return used;
}

function countDistinct(ids: Int32Array, size: number): number {
  const seen = markUsed(ids, 0, ids.length, size);
  let count = 0;
  for (let k = 0; k < size; k++) count += seen[k]!;
  return count;
}

function latest(ts: Float64Array, rows: readonly number[]): number {
  let max = -Infinity;
  for (const r of rows) max = Math.max(max, ts[r]!);
  return max;
}

const isoOrNumber = (ms: number): string =>
  Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);

/**
 * How long the held-out period of a temporal split lasts (cut to latest test row): the horizon a
 * blend learned before the cut is judged over. Undefined for other splits.
 */
export function testHorizonMs(info: SplitInfo): number | undefined {
  if (info.kind !== 'temporal' || !info.testEnd) return undefined;
  const span = Date.parse(info.testEnd) - Date.parse(info.cutoff);
  return Number.isFinite(span) && span > 0 ? span : undefined;
}

function assemble(
  log: InteractionLog,
  rows: InteractionLog,
  trainRows: ArrayLike<number>,
  testRows: readonly number[],
  dropped: number,
  cutoffMs: number,
  options: SplitOptions,
  info: Pick<SplitInfo, 'kind' | 'testFraction'>,
): EvalSplit {
  const trainLog = selectRows(rows, trainRows);
  const numUsers = log.userIds.length;
  const numItems = log.itemIds.length;
  const test: TestSet = {
    user: Int32Array.from(testRows, (r) => rows.user[r]!),
    item: Int32Array.from(testRows, (r) => rows.item[r]!),
  };
  const train: TrainSet = { log: trainLog, numUsers, numItems, cutoffMs };
  if (options.content) train.content = options.content;
  if (info.kind === 'leave-last-out') train.target = 'each-users-last';
  return {
    train,
    test,
    info: {
      ...info,
      cutoff: isoOrNumber(cutoffMs),
      ...(testRows.length ? { testEnd: isoOrNumber(latest(rows.ts, testRows)) } : {}),
      inputRows: log.user.length,
      pairs: rows.user.length,
      trainRows: trainLog.user.length,
      testRows: testRows.length,
      droppedTestRows: dropped,
      users: numUsers,
      items: numItems,
      trainItems: countDistinct(trainLog.item, numItems),
      evaluatedUsers: countDistinct(test.user, numUsers),
    },
  };
}
