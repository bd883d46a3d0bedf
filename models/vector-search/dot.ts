/**
 * Σ_{k < len} x[xo + k] · y[yo + k] with four accumulators (about twice as fast as one in V8):
 * the inner loop of every scorer and kernel in models/.
 */
export function dot(
  x: Float32Array | Float64Array,
  xo: number,
  y: Float32Array | Float64Array,
  yo: number,
  len: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += x[xo + k]! * y[yo + k]!;
    s1 += x[xo + k + 1]! * y[yo + k + 1]!;
    s2 += x[xo + k + 2]! * y[yo + k + 2]!;
    s3 += x[xo + k + 3]! * y[yo + k + 3]!;
  }
  for (; k < len; k++) s0 += x[xo + k]! * y[yo + k]!;
  return s0 + s1 + (s2 + s3);
}
