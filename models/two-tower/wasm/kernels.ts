import { GEMM_WASM_BASE64 } from './gemm-wasm.js';

/** C = A·Bᵀ over rows [rowStart, rowEnd) (byte offsets into the memory; see gemm.wat). */
export type WasmGemm = (
  a: number,
  b: number,
  c: number,
  rowStart: number,
  rowEnd: number,
  n: number,
  k: number,
) => void;

/** y = B·x for every row of B (byte offsets into the memory; see gemm.wat). */
export type WasmMatvec = (b: number, x: number, y: number, n: number, k: number) => void;

export interface WasmKernels {
  gemmABt: WasmGemm;
  matvec: WasmMatvec;
}

/** Bytes in a WebAssembly memory page. */
export const PAGE_BYTES = 65_536;

/** `x` rounded up to a multiple of 4: the kernels take rows (and gemm's n and k) in fours. */
export const ceil4 = (x: number): number => (x + 3) & ~3;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The kernels of gemm.wat on `memory` (a shared WebAssembly memory), or undefined where
 * WebAssembly SIMD is unsupported. The module is compiled once per process.
 */
export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
  return { gemmABt: exports.gemmABt as WasmGemm, matvec: exports.matvec as WasmMatvec };
}

/**
 * A fixed-size shared memory of at least `floats` f32s with the kernels instantiated on it, or
 * undefined where WebAssembly SIMD is unsupported.
 */
export function kernelsWithMemory(
  floats: number,
): { memory: WebAssembly.Memory; kernels: WasmKernels; floats: number } | undefined {
  const pages = Math.max(1, Math.ceil((floats * 4) / PAGE_BYTES));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const kernels = instantiateKernels(memory);
  return kernels && { memory, kernels, floats: (pages * PAGE_BYTES) / 4 };
}
