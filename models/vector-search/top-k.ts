/**
 * Top-k selection for vector search and the feed's scans. models/core/top-selector.ts is the other
 * selector, on purpose: evaluation ranks candidate lists with float64 comparisons and NaN kept last,
 * which this function's float32 keys would not reproduce exactly (see there).
 */

/** Below this many scores a prefilter does not pay. */
const PREFILTER_MIN = 4096;
const SAMPLE_STRIDE = 16;
/** Indices up to 2^21 fit beside a score's 32 bits in a float64's 53. */
const INDEX_BITS = 2 ** 21;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Sort keys, reused across calls (the function is synchronous) and grown as needed. */
let keys = new Float64Array(1024);

/**
 * Indices of the k largest finite scores, best first (ties: lower index first); with `mask`, only
 * among the indices i where mask[i] === value.
 *
 * For large inputs a sample first estimates a threshold that about 2k scores clear; if at least k
 * do, every top-k score is among them (the k-th largest is then ≥ the threshold), so only those are
 * sorted; otherwise a lower threshold, then all scores, so the result is always exact. The sort is the
 * engine's native numeric one over float64 keys that pack a score's order-preserving bits with its
 * inverted index: no comparator calls, which dominate a JS heap or sort at these sizes.
 */
export function topK(scores: Float32Array, k: number, mask?: Uint8Array, value = 1): Int32Array {
  const n = scores.length;
  if (k <= 0 || n === 0) return new Int32Array(0);
  if (n > INDEX_BITS) throw new RangeError(`topK supports up to ${INDEX_BITS} scores`);
  let size = -1;
  if (n >= PREFILTER_MIN && 4 * k <= n) {
    // A scattered sample (a multiplicative hash of the draw number, not a stride, which would
    // alias with a catalogue stored in category or event order).
    const sample = new Float32Array(Math.ceil(n / SAMPLE_STRIDE));
    let m = 0;
    for (let j = 0; j < sample.length; j++) {
      const i = sampledIndex(j, n);
      if (scores[i]! > -Infinity && (!mask || mask[i] === value)) sample[m++] = scores[i]!;
    }
    const sorted = sample.subarray(0, m).sort();
    // Thresholds expected to admit ~2k, then ~8k scores; a sample that misjudged both falls through.
    for (const multiple of [2, 8]) {
      const rank = Math.ceil((multiple * k) / SAMPLE_STRIDE);
      if (m < rank) break;
      size = collect(scores, mask, value, sorted[m - rank]!);
      if (size >= k) break;
    }
  }
  if (size < k) size = collect(scores, mask, value, -Infinity);
  return decodeSorted(keys.subarray(0, size).sort(), Math.min(k, size));
}

/** The indices of the last `count` of ascending sort keys, last first. */
function decodeSorted(sorted: Float64Array, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const key = sorted[sorted.length - 1 - j]!;
    // key mod 2^21 by a floor division: `%` on doubles this large is a slow library call.
    out[j] = INDEX_BITS - 1 - (key - Math.floor(key / INDEX_BITS) * INDEX_BITS);
  }
  return out;
}

/**
 * `indices` (each below 2^21) ordered by their score as a float32, best first (ties: lower index
 * first), with the same native sort as `topK`: several times faster than a comparator sort. Scores
 * must be finite.
 */
export function byScore(indices: readonly number[], scores: ArrayLike<number>): Int32Array {
  const size = indices.length;
  if (keys.length < size) keys = new Float64Array(Math.max(2 * size, 1024));
  for (let j = 0; j < size; j++) {
    const i = indices[j]!;
    if (i >= INDEX_BITS) throw new RangeError(`byScore supports indices below ${INDEX_BITS}`);
    keys[j] = orderedBits(scores[i]!) * INDEX_BITS + (INDEX_BITS - 1 - i);
  }
  return decodeSorted(keys.subarray(0, size).sort(), size);
}

/** The j-th sampled index of n (multiplicative hashing: spread over [0, n) without a stride). */
export function sampledIndex(j: number, n: number): number {
  return (Math.imul(j, 0x9e3779b1) >>> 0) % n;
}

/** Writes the sort keys of the finite scores ≥ threshold (and in the mask) into `keys`; returns their count. */
function collect(
  scores: Float32Array,
  mask: Uint8Array | undefined,
  value: number,
  threshold: number,
): number {
  const n = scores.length;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!(s > -Infinity) || s < threshold || (mask && mask[i] !== value)) continue;
    if (size === keys.length) {
      const grown = new Float64Array(Math.max(keys.length * 2, 1024));
      grown.set(keys);
      keys = grown;
    }
    keys[size++] = orderedBits(s) * INDEX_BITS + (INDEX_BITS - 1 - i);
  }
  return size;
}

/** A float32's bits as an unsigned integer ordered like the float (NaN excluded by the caller). */
function orderedBits(x: number): number {
  f32[0] = x === 0 ? 0 : x; // −0 sorts with +0
  const bits = u32[0]!;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}
