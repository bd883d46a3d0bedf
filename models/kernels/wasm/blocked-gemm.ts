import { gemmABt } from '../gemm.js';
import { ceil4, kernelsWithMemory, type WasmGemm } from './kernels.js';

/** Rows of A per kernel call: bounds the scratch memory whatever the batch. */
const BLOCK_ROWS = 4096;

/** The process's scratch memory for blocked products, grown when a shape needs more. */
let scratch: { memory: WebAssembly.Memory; gemm: WasmGemm; floats: number } | null | undefined;

function scratchFor(floats: number): { memory: WebAssembly.Memory; gemm: WasmGemm } | undefined {
  if (scratch === null) return undefined;
  if (scratch && scratch.floats >= floats) return scratch;
  const made = kernelsWithMemory(floats);
  // Without WebAssembly SIMD here, the JS kernel it is from now on.
  scratch = made ? { memory: made.memory, gemm: made.kernels.gemmABt, floats: made.floats } : null;
  return scratch ?? undefined;
}

/**
 * C = A·Bᵀ for `rows` rows of A (row-major rows × k) and B (n × k) into C (rows × n), on the
 * WebAssembly SIMD kernel in blocks of rows when k and n are multiples of 4, else (or without
 * SIMD) the JS kernel. For one-off batches on the serving path (a catalogue's market vectors
 * under a new model), where the JS kernel was most of the time. Synchronous: the scratch is
 * shared by the process.
 */
export function blockedGemmABt(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  rows: number,
  n: number,
  k: number,
): void {
  const space =
    scratch === null || n % 4 !== 0 || k % 4 !== 0 ? undefined : scratchFor(n * k + BLOCK_ROWS * (k + n));
  if (!space || rows < 4) {
    gemmABt(a, b, c, 0, rows, n, k);
    return;
  }
  const heap = new Float32Array(space.memory.buffer);
  const bAt = 0;
  const aAt = n * k;
  const cAt = aAt + BLOCK_ROWS * k;
  heap.set(b.subarray(0, n * k), bAt);
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, rows - start);
    const padded = ceil4(count);
    heap.set(a.subarray(start * k, (start + count) * k), aAt);
    // The kernel takes rows in fours: up to three rows past the block's end are computed from
    // whatever the scratch holds there, and never copied out.
    space.gemm(aAt * 4, bAt * 4, cAt * 4, 0, padded, n, k);
    c.set(heap.subarray(cAt, cAt + count * n), start * n);
  }
}
