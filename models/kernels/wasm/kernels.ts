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

/**
 * Float32 blocks of the given lengths, one after another in one fixed-size kernel memory with the
 * kernels instantiated on it (`heap` views the whole memory, for offsets across blocks); where
 * WebAssembly SIMD is unsupported, or `simd` is false, separate arrays and no kernels.
 */
export function kernelBlocks<const L extends readonly number[]>(
  lengths: L,
  simd = true,
): { blocks: { [K in keyof L]: Float32Array }; kernels?: WasmKernels; heap?: Float32Array } {
  type Blocks = { [K in keyof L]: Float32Array };
  const wasm = simd ? kernelsWithMemory(lengths.reduce((x, y) => x + y, 0)) : undefined;
  if (!wasm) return { blocks: lengths.map((length) => new Float32Array(length)) as unknown as Blocks };
  let offset = 0;
  const blocks = lengths.map((length) => {
    const view = new Float32Array(wasm.memory.buffer, offset * 4, length);
    offset += length;
    return view;
  }) as unknown as Blocks;
  return { blocks, kernels: wasm.kernels, heap: new Float32Array(wasm.memory.buffer) };
}
