/**
 * Indices of the k largest finite scores, best first (ties: lower index first), by a bounded
 * min-heap: O(n log k) with no allocation per element, so ranking 100k markets for a 200-item feed
 * never sorts 100k objects.
 */
export function topK(scores: Float32Array, k: number): Int32Array {
  const heap = new Int32Array(Math.max(0, k));
  let size = 0;
  // Heap order: the worst kept item at the root (lower score, or equal score and higher index).
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l]!, heap[m]!)) m = l;
      if (r < size && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i]! > -Infinity)) continue;
    if (size < k) {
      let c = size++;
      heap[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c]!, heap[p]!)) break;
        const t = heap[c]!;
        heap[c] = heap[p]!;
        heap[p] = t;
        c = p;
      }
    } else if (k > 0 && worse(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  const out = heap.slice(0, size);
  out.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return out;
}
