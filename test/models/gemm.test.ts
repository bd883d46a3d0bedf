import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelPool } from '../../models/kernels/kernel-pool.js';
import { gemmABt, transpose } from '../../models/kernels/gemm.js';
import { blockedGemmABt } from '../../models/kernels/wasm/blocked-gemm.js';
import { compileWat } from '../../models/kernels/wasm/compile-wat.js';
import { GEMM_WASM_BASE64 } from '../../models/kernels/wasm/gemm-wasm.js';
import { Rng } from '../../src/util/rng.js';

/** C = A·Bᵀ the slow, obvious way, in float64. */
function reference(a: Float32Array, b: Float32Array, rows: number, n: number, k: number): Float64Array {
  const c = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
      c[i * n + j] = s;
    }
  return c;
}

describe('gemm kernels', () => {
  it('agree with the obvious product on every path: SIMD, JS, one or two threads, ragged shapes', async () => {
    const rng = Rng.of(5, 'gemm');
    for (const options of [{ threads: 1 }, { threads: 2 }, { threads: 2, simd: false }]) {
      const pool = new KernelPool(options.threads, options);
      expect(pool.simd).toBe(options.simd !== false);
      // Multiples of 4 take the SIMD kernel; the others fall back to JS rows and columns.
      for (const [rows, n, k] of [
        [64, 32, 16],
        [13, 12, 8],
        [16, 7, 5],
        [2, 4, 4],
        [33, 33, 33],
      ] as const) {
        const a = pool.allocate(rows * k);
        const b = pool.allocate(n * k);
        const c = pool.allocate(rows * n);
        a.forEach((_, i) => (a[i] = rng.normal()));
        b.forEach((_, i) => (b[i] = rng.normal()));
        pool.gemm(a, b, c, rows, n, k);
        const expected = reference(a, b, rows, n, k);
        for (let i = 0; i < expected.length; i++) expect(c[i]).toBeCloseTo(expected[i]!, 4);
      }
      await pool.close();
    }
  });

  it('keeps earlier arrays intact and hands out whole ones as the shared memory grows', async () => {
    const pool = new KernelPool(2);
    const small = pool.allocate(16);
    small.forEach((_, i) => (small[i] = i + 1));
    // Larger than the first 64 KiB page: allocating it grows the memory.
    const large = pool.allocate(200_000);
    expect(large.length).toBe(200_000);
    const ids = pool.allocateInt32(300_000);
    expect(ids.length).toBe(300_000);
    expect(Array.from(small)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    // A product across arrays from before and after the growth, on both threads' shares.
    const c = pool.allocate(8 * 4);
    large.fill(1, 0, 8 * 4);
    pool.gemm(large, small, c, 8, 4, 4);
    expect(Array.from(c.subarray(0, 4))).toEqual([10, 26, 42, 58]);
    expect(Array.from(c.subarray(28, 32))).toEqual([10, 26, 42, 58]);
    await pool.close();
  });

  it('transposes ragged shapes exactly (rows in blocks of eight)', () => {
    for (const [rows, cols] of [
      [13, 7],
      [8, 8],
      [1, 5],
      [17, 1],
    ] as const) {
      const input = Float32Array.from({ length: rows * cols }, (_, i) => i);
      const out = new Float32Array(rows * cols);
      transpose(input, rows, cols, out);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) expect(out[c * rows + r]).toBe(input[r * cols + c]);
    }
  });

  it('blocked SIMD product agrees with the obvious one across blocks, ragged row counts and odd shapes', () => {
    const rng = Rng.of(7, 'blocked');
    // 4,099 rows span two blocks, the second of 3 rows (padded to 4); 3 rows and 5 × 7 take the JS kernel.
    for (const [rows, n, k] of [
      [4_099, 16, 8],
      [3, 8, 8],
      [10, 12, 20],
      [11, 5, 7],
    ] as const) {
      const a = Float32Array.from({ length: rows * k }, () => rng.normal());
      const b = Float32Array.from({ length: n * k }, () => rng.normal());
      const c = new Float32Array(rows * n);
      blockedGemmABt(a, b, c, rows, n, k);
      const expected = reference(a, b, rows, n, k);
      const worst = expected.reduce((m, e, i) => Math.max(m, Math.abs(e - c[i]!)), 0);
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('JS kernel computes row ranges independently (what lets threads split the work)', () => {
    const rng = Rng.of(6, 'rows');
    const a = Float32Array.from({ length: 10 * 6 }, () => rng.normal());
    const b = Float32Array.from({ length: 9 * 6 }, () => rng.normal());
    const whole = new Float32Array(10 * 9);
    const parts = new Float32Array(10 * 9);
    gemmABt(a, b, whole, 0, 10, 9, 6);
    gemmABt(a, b, parts, 0, 4, 9, 6);
    gemmABt(a, b, parts, 4, 10, 9, 6);
    expect(parts).toEqual(whole);
  });

  it('ships the WebAssembly that gemm.wat compiles to (run `npm run build:wasm` after editing it)', async () => {
    const binary = await compileWat(path.join('models', 'kernels', 'wasm', 'gemm.wat'));
    expect(Buffer.from(binary).toString('base64')).toBe(GEMM_WASM_BASE64);
  });
});
