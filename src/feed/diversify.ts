export interface Diversifiable {
  eventTicker: string;
  categoryKey: string;
  score: number;
}

export interface DiversityOptions {
  /** Hard cap of markets from one event. */
  maxPerEvent: number;
  /** Score subtracted per same-category item among the last `window` picks. */
  categoryPenalty: number;
  window: number;
  /** Stop after this many picks. */
  limit: number;
}

/**
 * Greedy re-ranking: repeatedly take the best item after penalizing categories that filled the
 * recent positions, never exceeding the per-event cap. Input must be sorted by score descending;
 * only the first few hundred are considered, which bounds the cost at O(limit × pool).
 */
export function diversify<T extends Diversifiable>(sorted: T[], options: DiversityOptions): T[] {
  const perEvent = new Map<string, number>();
  const pool = [] as T[];
  for (const item of sorted) {
    const n = perEvent.get(item.eventTicker) ?? 0;
    if (n >= options.maxPerEvent) continue;
    perEvent.set(item.eventTicker, n + 1);
    pool.push(item);
    if (pool.length >= options.limit * 3) break;
  }
  const picked: T[] = [];
  const taken = new Uint8Array(pool.length);
  while (picked.length < Math.min(options.limit, pool.length)) {
    const recent = new Map<string, number>();
    for (const item of picked.slice(-options.window))
      recent.set(item.categoryKey, (recent.get(item.categoryKey) ?? 0) + 1);
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      if (taken[i]) continue;
      const item = pool[i]!;
      const adjusted = item.score - options.categoryPenalty * (recent.get(item.categoryKey) ?? 0);
      if (adjusted > bestScore) {
        bestScore = adjusted;
        best = i;
      }
    }
    taken[best] = 1;
    picked.push(pool[best]!);
  }
  return picked;
}
