import type { TrainSet } from '../core/types.js';

/** The unique items of each user: `item[start[u]..start[u + 1])`, with summed weight and latest time. */
export interface UserItems {
  start: Int32Array;
  item: Int32Array;
  weight: Float32Array;
  lastTs: Float64Array;
}

/**
 * Each user's distinct training items, most recent first (ties by item index). With `maxPerUser`,
 * only that many of the most recent are kept, which bounds the quadratic per-user costs of
 * co-occurrence models.
 */
export function userItems(train: TrainSet, maxPerUser = Infinity): UserItems {
  const { log, numUsers, numItems } = train;
  const n = log.user.length;
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < n; r++) start[log.user[r]! + 1]!++;
  for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, numUsers);
  const byUser = new Int32Array(n);
  for (let r = 0; r < n; r++) byUser[fill[log.user[r]!]!++] = r;

  const slot = new Int32Array(numItems).fill(-1);
  const outStart = new Int32Array(numUsers + 1);
  const item: number[] = [];
  const weight: number[] = [];
  const lastTs: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    const first = item.length;
    for (let k = start[u]!; k < start[u + 1]!; k++) {
      const r = byUser[k]!;
      const i = log.item[r]!;
      const s = slot[i]!;
      if (s >= first) {
        weight[s]! += log.weight[r]!;
        if (log.ts[r]! > lastTs[s]!) lastTs[s] = log.ts[r]!;
      } else {
        slot[i] = item.length;
        item.push(i);
        weight.push(log.weight[r]!);
        lastTs.push(log.ts[r]!);
      }
    }
    // Most recent first, then cap.
    const order = Array.from({ length: item.length - first }, (_, k) => first + k);
    order.sort((a, b) => lastTs[b]! - lastTs[a]! || item[a]! - item[b]!);
    const kept = order.slice(0, Math.min(order.length, maxPerUser));
    const ki = kept.map((k) => item[k]!);
    const kw = kept.map((k) => weight[k]!);
    const kt = kept.map((k) => lastTs[k]!);
    item.length = weight.length = lastTs.length = first;
    for (let k = 0; k < kept.length; k++) {
      item.push(ki[k]!);
      weight.push(kw[k]!);
      lastTs.push(kt[k]!);
    }
    // Reset slots of every item the user touched (kept or not) so the next user starts clean.
    for (let k = start[u]!; k < start[u + 1]!; k++) slot[log.item[byUser[k]!]!] = -1;
    outStart[u + 1] = item.length;
  }
  return {
    start: outStart,
    item: Int32Array.from(item),
    weight: Float32Array.from(weight),
    lastTs: Float64Array.from(lastTs),
  };
}

/**
 * Σ weight · 2^(−(cutoff − ts) / halfLife) per item: recency-weighted popularity, or plain weighted
 * popularity with `halfLifeMs = Infinity`.
 */
export function itemPopularity(train: TrainSet, halfLifeMs: number): Float64Array {
  const { log, numItems, cutoffMs } = train;
  const pop = new Float64Array(numItems);
  const rate = Number.isFinite(halfLifeMs) ? Math.LN2 / halfLifeMs : 0;
  for (let r = 0; r < log.item.length; r++) {
    const age = Math.max(0, cutoffMs - log.ts[r]!);
    pop[log.item[r]!]! += log.weight[r]! * (rate === 0 ? 1 : Math.exp(-age * rate));
  }
  return pop;
}

/** `values / max(values)` (all zeros stay zeros). */
export function normalised(values: Float64Array): Float64Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const out = new Float64Array(values.length);
  if (max > 0) for (let i = 0; i < values.length; i++) out[i] = values[i]! / max;
  return out;
}

/** Users the recommender knows: inside the vocabulary it was fitted on. */
export function knownUser(items: UserItems, user: number): boolean {
  return user >= 0 && user + 1 < items.start.length;
}

export function assertFitted<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name}: scoreUser before fit`);
  return value;
}
