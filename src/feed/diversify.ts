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
 * recent positions, never exceeding the per-event cap. The penalty depends only on an item's
 * category, so the best candidate is always the head of some category's list: each pick compares
 * one head per category, O(limit × categories). Input must be sorted by score descending.
 */
export function diversify<T extends Diversifiable>(sorted: T[], options: DiversityOptions): T[] {
  const perEvent = new Map<string, number>();
  /** Per category, the input positions of its items, best first. */
  const queues = new Map<string, number[]>();
  sorted.forEach((item, position) => {
    const n = perEvent.get(item.eventTicker) ?? 0;
    if (n >= options.maxPerEvent) return;
    perEvent.set(item.eventTicker, n + 1);
    let queue = queues.get(item.categoryKey);
    if (!queue) queues.set(item.categoryKey, (queue = []));
    queue.push(position);
  });
  const heads = new Map<string, number>([...queues.keys()].map((k) => [k, 0]));
  const recent = new Map<string, number>();
  const picked: T[] = [];
  while (picked.length < options.limit) {
    let best = -1;
    let bestScore = -Infinity;
    for (const [category, queue] of queues) {
      const head = queue[heads.get(category)!];
      if (head === undefined) continue;
      const adjusted = sorted[head]!.score - options.categoryPenalty * (recent.get(category) ?? 0);
      // Ties go to the item ranked first in the input, as a stable sort would.
      if (adjusted > bestScore || (adjusted === bestScore && head < best)) {
        bestScore = adjusted;
        best = head;
      }
    }
    if (best < 0) break;
    const chosen = sorted[best]!;
    heads.set(chosen.categoryKey, heads.get(chosen.categoryKey)! + 1);
    picked.push(chosen);
    recent.set(chosen.categoryKey, (recent.get(chosen.categoryKey) ?? 0) + 1);
    if (picked.length > options.window) {
      const leaving = picked[picked.length - 1 - options.window]!.categoryKey;
      recent.set(leaving, recent.get(leaving)! - 1);
    }
  }
  return picked;
}
