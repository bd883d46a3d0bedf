/**
 * The one dense product the two-tower step needs: C = A·Bᵀ over row-major Float32Arrays, where
 * every operand is read along contiguous rows. Every product of the step (logits, their gradients,
 * the tower layers and theirs) is written in this form by transposing the small operand first.
 *
 * This is the JS version, for shapes the SIMD kernel (wasm/gemm.wat) does not take and for
 * runtimes without WebAssembly SIMD. 4×4 register blocking: each pass over k loads 8 values for 16
 * multiply-adds, which is what lets V8 reach ~2 GMAC/s per core here (a plain triple loop manages
 * ~0.7, tfjs's CPU backend ~0.1). Self-contained (it calls nothing): KernelPool's workers run it from
 * its source text.
 */
export function gemmABt(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  /** Rows of A (and of C) to compute: [rowStart, rowEnd), so threads can split the work. */
  rowStart: number,
  rowEnd: number,
  /** Rows of B = columns of C. */
  n: number,
  /** Shared inner dimension: the length of every row of A and B. */
  k: number,
): void {
  let i = rowStart;
  for (; i + 4 <= rowEnd; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    const c0 = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0; // prettier-ignore
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0; // prettier-ignore
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!;
        const x1 = a[a1 + p]!;
        const x2 = a[a2 + p]!;
        const x3 = a[a3 + p]!;
        const y0 = b[b0 + p]!;
        const y1 = b[b1 + p]!;
        const y2 = b[b2 + p]!;
        const y3 = b[b3 + p]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3; // prettier-ignore
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3; // prettier-ignore
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3; // prettier-ignore
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3; // prettier-ignore
      }
      c[c0 + j] = s00;
      c[c0 + j + 1] = s01;
      c[c0 + j + 2] = s02;
      c[c0 + j + 3] = s03; // prettier-ignore
      const c1 = c0 + n;
      c[c1 + j] = s10;
      c[c1 + j + 1] = s11;
      c[c1 + j + 2] = s12;
      c[c1 + j + 3] = s13; // prettier-ignore
      const c2 = c1 + n;
      c[c2 + j] = s20;
      c[c2 + j + 1] = s21;
      c[c2 + j + 2] = s22;
      c[c2 + j + 3] = s23; // prettier-ignore
      const c3 = c2 + n;
      c[c3 + j] = s30;
      c[c3 + j + 1] = s31;
      c[c3 + j + 2] = s32;
      c[c3 + j + 3] = s33; // prettier-ignore
    }
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[(i + r) * k + p]! * b[j * k + p]!;
        c[(i + r) * n + j] = s;
      }
    }
  }
  for (; i < rowEnd; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
      c[i * n + j] = s;
    }
  }
}

/**
 * out (cols×rows) = inᵀ for a row-major rows×cols matrix, eight rows at a time: each column of
 * `out` then takes 32 contiguous bytes per pass instead of one float per cache line (row by row,
 * the step's 1024 × 64 and 1024 × 128 transposes took two to three times as long).
 */
export function transpose(input: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const r1 = Math.min(rows, r0 + 8);
    for (let c = 0; c < cols; c++) {
      const o = c * rows;
      for (let r = r0; r < r1; r++) out[o + r] = input[r * cols + c]!;
    }
  }
}
