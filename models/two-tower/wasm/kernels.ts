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
