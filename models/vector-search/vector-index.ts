import { dot } from './dot.js';
import { gemmABt } from '../kernels/gemm.js';
import { ceil4, kernelBlocks, type WasmGemm, type WasmMatvec } from '../kernels/wasm/kernels.js';

/** Scratch for `crossScores` (a feed's items against a user's recent markets). */
const CROSS_ROWS = 1024;
const CROSS_OTHERS = 32;

/**
 * Unit vectors of n markets in one contiguous block, and the exact scan that scores a user vector
 * against all of them: the WebAssembly SIMD `matvec` of wasm/gemm.wat (four rows at a time, f32x4
 * along the dimension), or a JS loop where SIMD is unavailable. Each index owns its memory, so a
 * request still ranking on an old index is unaffected by a new one being built.
 */
export class VectorIndex {
  /** Row i is market i's vector (a view into the kernel's memory when it runs). */
  readonly vectors: Float32Array;
  private readonly query: Float32Array;
  private readonly out: Float32Array;
  private readonly matvec: WasmMatvec | undefined;
  private readonly cross:
    { gemm: WasmGemm; heap: Float32Array; a: Float32Array; b: Float32Array; c: Float32Array } | undefined;

  constructor(
    readonly size: number,
    readonly dim: number,
  ) {
    // Layout: vectors | query | scores | cross A | cross B | cross C.
    const { blocks, kernels, heap } = kernelBlocks(
      [size * dim, dim, size, CROSS_ROWS * dim, CROSS_OTHERS * dim, CROSS_ROWS * CROSS_OTHERS],
      dim % 4 === 0,
    );
    const [vectors, query, out, a, b, c] = blocks;
    this.vectors = vectors;
    this.query = query;
    this.out = out;
    this.matvec = kernels?.matvec;
    this.cross = kernels && heap && { gemm: kernels.gemmABt, heap, a, b, c };
  }

  /** Whether scans run the SIMD kernel. */
  get simd(): boolean {
    return this.matvec !== undefined;
  }

  /**
   * Dot products of `x` with every row. The result is the index's scratch buffer: callers may
   * overwrite it, and must be done with it before the next call (ranking is synchronous).
   */
  scores(x: Float32Array): Float32Array {
    const d = this.dim;
    if (this.matvec) {
      this.query.set(x.subarray(0, d));
      this.matvec(0, this.size * d * 4, (this.size * d + d) * 4, this.size, d);
    } else {
      for (let j = 0; j < this.size; j++) this.out[j] = dot(x, 0, this.vectors, j * d, d);
    }
    return this.out;
  }

  /**
   * Dot products of the given rows' vectors with `m` other vectors (row-major m × dim): row j of
   * the result holds rows[j] against each of them. One blocked SIMD product when the shapes fit
   * the scratch (≤ 1024 rows, ≤ 32 others), else the JS kernel.
   */
  crossScores(rows: readonly number[], others: Float32Array, m: number): Float32Array {
    const d = this.dim;
    const result = new Float32Array(rows.length * m);
    const cross = this.cross;
    if (!cross || rows.length > CROSS_ROWS || m > CROSS_OTHERS) {
      const gathered = new Float32Array(rows.length * d);
      rows.forEach((row, j) => gathered.set(this.row(row), j * d));
      gemmABt(gathered, others, result, 0, rows.length, m, d);
      return result;
    }
    const r4 = ceil4(rows.length);
    const m4 = ceil4(m);
    // Copies within the one memory block (no view per row: they cost more than the copies).
    const { heap } = cross;
    const a = cross.a.byteOffset / 4;
    for (let j = 0; j < rows.length; j++) heap.copyWithin(a + j * d, rows[j]! * d, rows[j]! * d + d);
    cross.a.fill(0, rows.length * d, r4 * d);
    cross.b.set(others.subarray(0, m * d));
    cross.b.fill(0, m * d, m4 * d);
    cross.gemm(cross.a.byteOffset, cross.b.byteOffset, cross.c.byteOffset, 0, r4, m4, d);
    const c = cross.c;
    for (let j = 0; j < rows.length; j++) for (let k = 0; k < m; k++) result[j * m + k] = c[j * m4 + k]!;
    return result;
  }

  /** Row i's vector (a view, not a copy). */
  row(i: number): Float32Array {
    return this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }
}
