export interface Diversifiable {
  eventTicker: string;
  /** Series, when the market has one (capped by `maxPerSeries`). */
  seriesKey?: string;
  categoryKey: string;
  score: number;
}

export interface DiversityOptions {
  /** Hard cap of markets from one event. */
  maxPerEvent: number;
  /** Hard cap of markets from one series (a daily series has a market per day). @defaultValue no cap */
  maxPerSeries?: number;
  /** Score subtracted per same-category item among the last `window` picks. */
  categoryPenalty: number;
  window: number;
  /** Stop after this many picks. */
  limit: number;
}

/** Items described by small integer keys (−1: no series), as the ranking pipeline holds them. */
export interface IndexedItems {
  score: ArrayLike<number>;
  event: ArrayLike<number>;
  series: ArrayLike<number>;
  category: ArrayLike<number>;
  /** One more than the largest key of each kind. */
  events: number;
  seriesCount: number;
  categories: number;
}

/**
 * Greedy re-ranking: repeatedly take the best item after penalizing categories that filled the
 * recent positions, never exceeding the per-event and per-series caps. The penalty depends only
 * on an item's category, so the best candidate is always the head of some category's list: each
 * pick compares one head per category, O(limit × categories), over arrays only.
 *
 * `order` lists item positions by score, best first; returns the picked positions in feed order.
 */
export function diversifyIndexed(
  order: ArrayLike<number>,
  items: IndexedItems,
  options: DiversityOptions,
): number[] {
  const perEvent = new Int32Array(items.events);
  const perSeries = new Int32Array(items.seriesCount);
  const maxPerSeries = options.maxPerSeries ?? Infinity;
  /** Per category, the ranks (indices into `order`) of its items that pass the caps, best first. */
  const queues: number[][] = Array.from({ length: items.categories }, () => []);
  for (let rank = 0; rank < order.length; rank++) {
    const position = order[rank]!;
    const event = items.event[position]!;
    const series = items.series[position]!;
    if (perEvent[event]! >= options.maxPerEvent) continue;
    if (series >= 0 && perSeries[series]! >= maxPerSeries) continue;
    perEvent[event]!++;
    if (series >= 0) perSeries[series]!++;
    queues[items.category[position]!]!.push(rank);
  }
  const heads = new Int32Array(items.categories);
  const recent = new Int32Array(items.categories);
  const picked: number[] = [];
  while (picked.length < options.limit) {
    let best = -1;
    let bestCategory = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < queues.length; c++) {
      const queue = queues[c]!;
      if (heads[c]! >= queue.length) continue;
      const rank = queue[heads[c]!]!;
      const adjusted = items.score[order[rank]!]! - options.categoryPenalty * recent[c]!;
      // Ties go to the item ranked first, as a stable sort would.
      if (adjusted > bestScore || (adjusted === bestScore && rank < best)) {
        bestScore = adjusted;
        best = rank;
        bestCategory = c;
      }
    }
    if (best < 0) break;
    heads[bestCategory]!++;
    picked.push(order[best]!);
    recent[bestCategory]!++;
    if (picked.length > options.window)
      recent[items.category[picked[picked.length - 1 - options.window]!]!]!--;
  }
  return picked;
}

/** `diversifyIndexed` over items keyed by strings; input sorted by score, best first. */
export function diversify<T extends Diversifiable>(sorted: T[], options: DiversityOptions): T[] {
  const ids = () => {
    const map = new Map<string, number>();
    return { map, of: (key: string) => map.get(key) ?? map.set(key, map.size).size - 1 };
  };
  const events = ids();
  const series = ids();
  const categories = ids();
  const picked = diversifyIndexed(
    sorted.map((_, i) => i),
    {
      score: sorted.map((item) => item.score),
      event: sorted.map((item) => events.of(item.eventTicker)),
      series: sorted.map((item) => (item.seriesKey === undefined ? -1 : series.of(item.seriesKey))),
      category: sorted.map((item) => categories.of(item.categoryKey)),
      events: events.map.size,
      seriesCount: series.map.size,
      categories: categories.map.size,
    },
    options,
  );
  return picked.map((position) => sorted[position]!);
}
