import { Worker } from 'node:worker_threads';
import { gemmABt } from './gemm.js';
import { GEMM_WASM_BASE64 } from './wasm/gemm-wasm.js';
import { instantiateKernels, PAGE_BYTES, type WasmGemm } from './wasm/kernels.js';

/** 4 GiB / 64 KiB: the most a wasm32 memory can grow to. */
const MAX_PAGES = 65_536;

/**
 * Runs C = A·Bᵀ over matrices held in one shared WebAssembly memory, on several threads: the
 * calling thread takes the first share of C's rows, each worker one of the others, and the call
 * returns when all are done (synchronous, Atomics.wait: ~20 µs of signalling per call).
 *
 * Each share runs the WebAssembly SIMD kernel (wasm/gemm.wat: 4×4 blocks, f32x4 along k, ~4–5×
 * the JS kernel) when the shapes are multiples of 4, else the JS kernel of gemm.ts. The workers'
 * code is passed as source (`eval` workers): no separate file to resolve under tsx, vitest or dist.
 */
export class GemmPool {
  readonly memory: WebAssembly.Memory;
  private readonly kernel: WasmGemm | undefined;
  private readonly workers: Worker[] = [];
  /** Per worker: [request seq, done seq, a, b, c (byte offsets), rowStart, rowEnd, n, k, failed]. */
  private readonly control: Int32Array[] = [];
  private readonly owned = new WeakSet<Float32Array>();
  private top = 0;
  private seq = 0;

  constructor(
    readonly threads: number,
    options: { simd?: boolean } = {},
  ) {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.kernel = options.simd === false ? undefined : instantiateKernels(this.memory)?.gemmABt;
    for (let w = 1; w < threads; w++) {
      const control = new Int32Array(new SharedArrayBuffer(10 * 4));
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control, memory: this.memory, wasm: this.kernel ? GEMM_WASM_BASE64 : null },
      });
      worker.unref();
      this.workers.push(worker);
      this.control.push(control);
    }
  }

  /** Whether the SIMD kernel runs (else the JS one). */
  get simd(): boolean {
    return this.kernel !== undefined;
  }

  /** A zeroed Float32Array in the shared memory, growing it as needed. */
  allocate(length: number): Float32Array {
    const start = Math.ceil(this.top / 16) * 16; // 16-byte aligned rows for v128 loads
    const end = start + length * 4;
    const needed = Math.ceil(end / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > 0) this.memory.grow(needed);
    this.top = end;
    const view = new Float32Array(this.memory.buffer, start, length);
    this.owned.add(view);
    return view;
  }

  gemm(a: Float32Array, b: Float32Array, c: Float32Array, rows: number, n: number, k: number): void {
    if (!this.owned.has(a) || !this.owned.has(b) || !this.owned.has(c))
      throw new Error('GemmPool.gemm needs arrays from allocate()');
    const simd = this.kernel !== undefined && n % 4 === 0 && k % 4 === 0;
    const parts = this.workers.length === 0 || rows < 8 ? 1 : this.threads;
    // Shares are multiples of 4 rows so every thread runs the blocked kernels.
    const share = Math.ceil(rows / parts / 4) * 4;
    const seq = ++this.seq;
    for (let w = 0; w < parts - 1; w++) {
      const ctl = this.control[w]!;
      const start = Math.min(rows, share * (w + 1));
      const end = Math.min(rows, share * (w + 2));
      ctl.set([a.byteOffset, b.byteOffset, c.byteOffset, start, end, n, simd ? k : -k], 2);
      Atomics.store(ctl, 0, seq);
      Atomics.notify(ctl, 0);
    }
    const mine = Math.min(rows, share);
    if (simd && mine % 4 === 0) this.kernel!(a.byteOffset, b.byteOffset, c.byteOffset, 0, mine, n, k);
    else gemmABt(a, b, c, 0, mine, n, k);
    for (let w = 0; w < parts - 1; w++) {
      const ctl = this.control[w]!;
      while (Atomics.load(ctl, 1) !== seq) Atomics.wait(ctl, 1, Atomics.load(ctl, 1), 1000);
      if (Atomics.load(ctl, 9) !== 0) throw new Error('a gemm worker failed: see its error output');
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A worker: waits for a request, runs its share of rows (SIMD kernel when the caller says the
 * shapes allow it: k > 0; the JS kernel on views of the same memory otherwise), reports done.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${gemmABt.toString()}
const { control, memory, wasm } = workerData;
const kernel = wasm
  ? new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')), { env: { memory } }).exports.gemmABt
  : null;
const view = (offset, length) => new Float32Array(memory.buffer, offset, length);
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  const [a, b, c, start, end, n, k] = control.subarray(2);
  try {
    if (end > start && k > 0 && (end - start) % 4 === 0) kernel(a, b, c, start, end, n, k);
    else if (end > start) {
      const kk = Math.abs(k);
      gemmABt(view(a, end * kk), view(b, n * kk), view(c, end * n), start, end, n, kk);
    }
  } catch (err) {
    console.error(err);
    Atomics.store(control, 9, 1);
  }
  Atomics.store(control, 1, seen);
  Atomics.notify(control, 1);
}
`;
