import { Worker } from 'node:worker_threads';
import { gemmABt } from './gemm.js';
import { softmaxRows } from './softmax-rows.js';
import { GEMM_WASM_BASE64 } from './wasm/gemm-wasm.js';
import { instantiateKernels, PAGE_BYTES, type WasmGemm } from './wasm/kernels.js';

/** 4 GiB / 64 KiB: the most a wasm32 memory can grow to. */
const MAX_PAGES = 65_536;

/** A worker's control words: request and done sequence numbers, failure flag, op, its arguments. */
const REQUEST = 0;
const DONE = 1;
const FAILED = 2;
const OP = 3;
const ARGS = 4;
const CONTROL_WORDS = ARGS + 8;
const OP_GEMM = 0;
const OP_SOFTMAX = 1;

/**
 * The two-tower step's row-parallel kernels over matrices held in one shared WebAssembly memory, on
 * several threads: the calling thread takes the first share of the rows, each worker one of the
 * others, and a call returns when all are done (synchronous, Atomics.wait: ~20 µs of signalling
 * per call).
 *
 * - `gemm`, C = A·Bᵀ: each share runs the WebAssembly SIMD kernel (wasm/gemm.wat: 4×4 blocks, f32x4
 *   along k, ~4–5× the JS kernel) when the shapes are multiples of 4, else the JS kernel of gemm.ts.
 * - `softmaxRows`, the in-batch softmax's rows and their gradient (softmax-rows.ts): a million
 *   exponentials per step at batch 1024, which were the main thread's largest share of the step.
 *
 * The workers' code is passed as source (`eval` workers): no separate file to resolve under tsx,
 * vitest or dist.
 */
export class KernelPool {
  readonly memory: WebAssembly.Memory;
  private readonly kernel: WasmGemm | undefined;
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array[] = [];
  /** Per worker: the softmax's 1/τ and Σw in, its rows' loss out. */
  private readonly floats: Float64Array[] = [];
  private readonly owned = new WeakSet<Float32Array | Int32Array>();
  private top = 0;
  private seq = 0;

  constructor(
    readonly threads: number,
    options: { simd?: boolean } = {},
  ) {
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.kernel = options.simd === false ? undefined : instantiateKernels(this.memory)?.gemmABt;
    for (let w = 1; w < threads; w++) {
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      const floats = new Float64Array(new SharedArrayBuffer(3 * 8));
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control, floats, memory: this.memory, wasm: this.kernel ? GEMM_WASM_BASE64 : null },
      });
      worker.unref();
      this.workers.push(worker);
      this.control.push(control);
      this.floats.push(floats);
    }
  }

  /** Whether the SIMD kernel runs (else the JS one). */
  get simd(): boolean {
    return this.kernel !== undefined;
  }

  /** A zeroed Float32Array in the shared memory, growing it as needed. */
  allocate(length: number): Float32Array {
    return this.view(Float32Array, length);
  }

  /** A zeroed Int32Array in the shared memory. */
  allocateInt32(length: number): Int32Array {
    return this.view(Int32Array, length);
  }

  private view<T extends Float32Array | Int32Array>(
    Kind: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
    length: number,
  ): T {
    // Both kinds are 4 bytes an element. Reserving grows the memory: take its buffer after.
    const offset = this.reserve(length * 4);
    const view = new Kind(this.memory.buffer, offset, length);
    this.owned.add(view);
    return view;
  }

  /** Byte offset of `bytes` more of the memory, 16-byte aligned (rows for v128 loads). */
  private reserve(bytes: number): number {
    const start = Math.ceil(this.top / 16) * 16;
    const end = start + bytes;
    const needed = Math.ceil(end / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > 0) this.memory.grow(needed);
    this.top = end;
    return start;
  }

  gemm(a: Float32Array, b: Float32Array, c: Float32Array, rows: number, n: number, k: number): void {
    this.checkOwned('gemm', a, b, c);
    const simd = this.kernel !== undefined && n % 4 === 0 && k % 4 === 0;
    // Shares are multiples of 4 rows so every thread runs the blocked kernels.
    const share = this.share(rows, 4);
    this.dispatch(rows, share, OP_GEMM, (start, end) => [
      a.byteOffset,
      b.byteOffset,
      c.byteOffset,
      start,
      end,
      n,
      simd ? k : -k,
    ]);
    const mine = Math.min(rows, share);
    if (simd && mine % 4 === 0) this.kernel!(a.byteOffset, b.byteOffset, c.byteOffset, 0, mine, n, k);
    else gemmABt(a, b, c, 0, mine, n, k);
    this.join(rows);
  }

  /** `softmaxRows` over all n rows of `s`, split between the threads; returns the loss. */
  softmaxRows(
    s: Float32Array,
    gT: Float32Array,
    logQ: Float32Array,
    sameNext: Int32Array,
    weight: Float32Array,
    n: number,
    invTau: number,
    weightSum: number,
  ): number {
    this.checkOwned('softmaxRows', s, gT, logQ, sameNext, weight);
    const share = this.share(n, 8);
    for (const f of this.floats) f.set([invTau, weightSum, 0]);
    this.dispatch(n, share, OP_SOFTMAX, (start, end) => [
      s.byteOffset,
      gT.byteOffset,
      logQ.byteOffset,
      sameNext.byteOffset,
      weight.byteOffset,
      n,
      start,
      end,
    ]);
    let loss = softmaxRows(s, gT, logQ, sameNext, weight, n, 0, Math.min(n, share), invTau, weightSum);
    this.join(n);
    for (let w = 0; w < this.parts(n) - 1; w++) loss += this.floats[w]![2]!;
    return loss;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private checkOwned(op: string, ...arrays: (Float32Array | Int32Array)[]): void {
    if (!arrays.every((x) => this.owned.has(x)))
      throw new Error(`KernelPool.${op} needs arrays from allocate()`);
  }

  private parts(rows: number): number {
    return this.workers.length === 0 || rows < 8 ? 1 : this.threads;
  }

  /** Rows per thread, a multiple of `multiple`. */
  private share(rows: number, multiple: number): number {
    return Math.ceil(rows / this.parts(rows) / multiple) * multiple;
  }

  /** Hands each worker its share [share·(w+1), share·(w+2)) of the rows. */
  private dispatch(
    rows: number,
    share: number,
    op: number,
    args: (start: number, end: number) => number[],
  ): void {
    const seq = ++this.seq;
    for (let w = 0; w < this.parts(rows) - 1; w++) {
      const ctl = this.control[w]!;
      ctl[OP] = op;
      ctl.set(args(Math.min(rows, share * (w + 1)), Math.min(rows, share * (w + 2))), ARGS);
      Atomics.store(ctl, REQUEST, seq);
      Atomics.notify(ctl, REQUEST);
    }
  }

  private join(rows: number): void {
    for (let w = 0; w < this.parts(rows) - 1; w++) {
      const ctl = this.control[w]!;
      while (Atomics.load(ctl, DONE) !== this.seq) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 1000);
      if (Atomics.load(ctl, FAILED) !== 0) throw new Error('a kernel worker failed: see its error output');
    }
  }
}

/**
 * A worker: waits for a request, runs its share of rows, reports done. A gemm runs the SIMD kernel
 * when the caller says the shapes allow it (k > 0), the JS kernel on views of the same memory
 * otherwise.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${gemmABt.toString()}
${softmaxRows.toString()}
const { control, floats, memory, wasm } = workerData;
const kernel = wasm
  ? new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')), { env: { memory } }).exports.gemmABt
  : null;
const f32 = (offset, length) => new Float32Array(memory.buffer, offset, length);
let seen = 0;
for (;;) {
  Atomics.wait(control, ${REQUEST}, seen);
  seen = Atomics.load(control, ${REQUEST});
  const args = control.subarray(${ARGS});
  try {
    if (control[${OP}] === ${OP_SOFTMAX}) {
      const [s, gT, logQ, sameNext, weight, n, start, end] = args;
      floats[2] = softmaxRows(f32(s, n * n), f32(gT, n * n), f32(logQ, n), new Int32Array(memory.buffer, sameNext, n),
        f32(weight, n), n, start, end, floats[0], floats[1]);
    } else {
      const [a, b, c, start, end, n, k] = args;
      if (end > start && k > 0 && (end - start) % 4 === 0) kernel(a, b, c, start, end, n, k);
      else if (end > start) {
        const kk = Math.abs(k);
        gemmABt(f32(a, end * kk), f32(b, n * kk), f32(c, end * n), start, end, n, kk);
      }
    }
  } catch (err) {
    console.error(err);
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;
