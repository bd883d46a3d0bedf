import { describe, expect, it } from 'vitest';
import { diversify, type Diversifiable } from '../../src/feed/pipeline/diversify.js';

const item = (
  id: string,
  categoryKey: string,
  score: number,
  eventTicker = id,
): Diversifiable & { id: string } => ({
  id,
  categoryKey,
  eventTicker,
  score,
});

/** The plain O(n²) greedy the fast version must agree with. */
function reference<T extends Diversifiable>(
  sorted: T[],
  o: { maxPerEvent: number; categoryPenalty: number; window: number; limit: number },
): T[] {
  const perEvent = new Map<string, number>();
  const pool = sorted.filter((x) => {
    const n = perEvent.get(x.eventTicker) ?? 0;
    perEvent.set(x.eventTicker, n + 1);
    return n < o.maxPerEvent;
  });
  const picked: T[] = [];
  const taken = new Set<number>();
  while (picked.length < Math.min(o.limit, pool.length)) {
    const recent = picked.slice(-o.window);
    let best = -1;
    let bestScore = -Infinity;
    pool.forEach((x, i) => {
      if (taken.has(i)) return;
      const adjusted =
        x.score - o.categoryPenalty * recent.filter((r) => r.categoryKey === x.categoryKey).length;
      if (adjusted > bestScore) {
        bestScore = adjusted;
        best = i;
      }
    });
    taken.add(best);
    picked.push(pool[best]!);
  }
  return picked;
}

describe('diversify', () => {
  it('caps markets per event and spreads categories', () => {
    const sorted = [
      item('a1', 'crypto', 10, 'A'),
      item('a2', 'crypto', 9.9, 'A'),
      item('a3', 'crypto', 9.8, 'A'),
      item('b1', 'crypto', 9.7, 'B'),
      item('e1', 'economics', 9.0, 'E'),
    ];
    const out = diversify(sorted, { maxPerEvent: 2, categoryPenalty: 0.5, window: 3, limit: 10 });
    expect(out.map((x) => (x as { id: string }).id)).toEqual(['a1', 'a2', 'e1', 'b1']);
  });

  it('agrees with the straightforward greedy on random inputs', () => {
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 50; trial++) {
      const items = Array.from({ length: 80 }, (_, i) =>
        item(
          `m${i}`,
          `c${Math.floor(rand() * 6)}`,
          Math.round(rand() * 1000) / 100,
          `e${Math.floor(rand() * 30)}`,
        ),
      ).sort((x, y) => y.score - x.score);
      const options = {
        maxPerEvent: 1 + (trial % 3),
        categoryPenalty: rand(),
        window: 1 + (trial % 6),
        limit: 40,
      };
      expect(diversify(items, options)).toEqual(reference(items, options));
    }
  });
  it('caps markets per series when asked, and leaves items without a series alone', () => {
    const sorted = [
      { ...item('d1', 'weather', 9), seriesKey: 'KXHIGHNY' },
      { ...item('d2', 'weather', 8), seriesKey: 'KXHIGHNY' },
      { ...item('d3', 'weather', 7), seriesKey: 'KXHIGHNY' },
      item('x', 'weather', 6),
      { ...item('e1', 'economics', 5), seriesKey: 'KXCPI' },
    ];
    const ids = (maxPerSeries?: number) =>
      diversify(sorted, { maxPerEvent: 2, maxPerSeries, categoryPenalty: 0, window: 3, limit: 10 }).map(
        (x) => x.id,
      );
    expect(ids(2)).toEqual(['d1', 'd2', 'x', 'e1']);
    expect(ids()).toEqual(['d1', 'd2', 'd3', 'x', 'e1']);
  });
});
