/**
 * Top-M selection shared by evaluation and the baselines that rank neighbours. Rankings are by
 * score descending, ties by item index ascending, NaN scores after every number.
 *
 * Why not models/vector-search/top-k.ts: that one serves the feed's scans, where scores are one
 * Float32Array over the whole catalogue and the fastest exact answer matters (a native sort of
 * packed float32 keys, NaN and −∞ dropped). This one ranks a candidate list (a subset of items, with
 * a user's own items skipped by stamp) over scores of any precision, compared as float64, keeping
 * NaN and −∞ last: evaluation's ranking contract (metrics.ts), which a float32 comparison would
 * change where scores differ below float32 precision.
 */

/** How deep the reciprocal rank looks (and the default selection depth). */
export const MRR_DEPTH = 100;

/** True when item `a` ranks before item `b`. */
export function ranksBefore(scores: ArrayLike<number>, a: number, b: number): boolean {
  const sa = scores[a]!;
  const sb = scores[b]!;
  if (sa > sb) return true;
  if (sa < sb) return false;
  if (sa === sb) return a < b;
  // At least one NaN: numbers first, then by index.
  const na = sa !== sa;
  const nb = sb !== sb;
  if (na !== nb) return nb;
  return a < b;
}

/**
 * Selects the best `m` candidates (by {@link ranksBefore}) with a bounded heap: O(C log m) worst
 * case, about O(C) when scores are in no particular order, instead of sorting all C candidates.
 * Candidates with `skip[i] === skipStamp` are left out (a user's own training items).
 */
export class TopSelector {
  private heap: Int32Array;

  constructor(capacity = MRR_DEPTH) {
    this.heap = new Int32Array(capacity);
  }

  /** The selected items, best first (a view into reused storage: copy to keep). */
  select(
    scores: ArrayLike<number>,
    candidates: ArrayLike<number>,
    m: number,
    skip?: Int32Array,
    skipStamp?: number,
  ): Int32Array {
    if (this.heap.length < m) this.heap = new Int32Array(m);
    const heap = this.heap;
    let size = 0;
    // heap[0] is the worst item kept: every other kept item ranks before it.
    let worst = NaN; // its score once the heap is full
    for (let c = 0; c < candidates.length; c++) {
      const item = candidates[c]!;
      if (scores[item]! < worst) continue; // fast path: strictly below the worst kept
      if (skip !== undefined && skip[item] === skipStamp) continue;
      if (size < m) {
        // Sift up: a new item climbs while its parent ranks before it.
        let pos = size++;
        while (pos > 0) {
          const parent = (pos - 1) >> 1;
          if (!ranksBefore(scores, heap[parent]!, item)) break;
          heap[pos] = heap[parent]!;
          pos = parent;
        }
        heap[pos] = item;
        if (size === m) worst = scores[heap[0]!]!;
      } else if (m > 0 && ranksBefore(scores, item, heap[0]!)) {
        siftDown(scores, heap, size, item);
        worst = scores[heap[0]!]!;
      }
    }
    const top = heap.subarray(0, size);
    // ≤ m items: a comparator sort of a plain array is fine here.
    const sorted = Array.from(top).sort((a, b) => (ranksBefore(scores, a, b) ? -1 : 1));
    top.set(sorted);
    return top;
  }
}

/** Replaces the root with `item` and restores the heap (worst at the root). */
function siftDown(scores: ArrayLike<number>, heap: Int32Array, size: number, item: number): void {
  let pos = 0;
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= size) break;
    const right = left + 1;
    // The child that ranks last (the worse one) moves up.
    let worse = left;
    if (right < size && ranksBefore(scores, heap[left]!, heap[right]!)) worse = right;
    if (!ranksBefore(scores, item, heap[worse]!)) break;
    heap[pos] = heap[worse]!;
    pos = worse;
  }
  heap[pos] = item;
}
