import { Worker } from 'node:worker_threads';
import { dot } from '../core/dot.js';
import { gemmABt } from './gemm.js';

/**
 * Runs gemmABt on several threads over SharedArrayBuffers: the calling thread takes the first
 * share of C's rows, each worker one of the others, and the call returns when all are done. Calls
 * are synchronous (Atomics.wait), as the training step is; a call costs ~20 µs of signalling.
 *
 * The worker's code is the same kernel function, passed as source (`eval` workers): no separate
 * file to resolve under tsx, vitest or the compiled dist.
 */
export class GemmPool {
  private readonly workers: Worker[] = [];
  /** Per worker: [request seq, done seq, a, b, c, rowStart, rowEnd, n, k, failed]. */
  private readonly control: Int32Array[] = [];
  private readonly ids = new Map<SharedArrayBuffer, number>();
  private seq = 0;

  constructor(readonly threads: number) {
    for (let w = 1; w < threads; w++) {
      const control = new Int32Array(new SharedArrayBuffer(10 * 4));
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control } });
      worker.unref();
      this.workers.push(worker);
      this.control.push(control);
    }
  }

  /** Float32Array on shared memory, registered with every worker. */
  allocate(length: number): Float32Array {
    const buffer = new SharedArrayBuffer(length * 4);
    const id = this.ids.size;
    this.ids.set(buffer, id);
    for (const worker of this.workers) worker.postMessage({ id, buffer });
    return new Float32Array(buffer);
  }

  gemm(a: Float32Array, b: Float32Array, c: Float32Array, rows: number, n: number, k: number): void {
    if (this.workers.length === 0 || rows < 8) return gemmABt(a, b, c, 0, rows, n, k);
    const ids = [a, b, c].map((x) => this.ids.get(x.buffer as SharedArrayBuffer));
    if (ids.some((id) => id === undefined)) throw new Error('GemmPool.gemm needs arrays from allocate()');
    const parts = this.threads;
    // Shares are multiples of 4 rows so every thread runs the blocked kernel.
    const share = Math.ceil(rows / parts / 4) * 4;
    const seq = ++this.seq;
    for (let w = 0; w < this.workers.length; w++) {
      const ctl = this.control[w]!;
      const start = Math.min(rows, share * (w + 1));
      const end = Math.min(rows, share * (w + 2));
      ctl.set([ids[0]!, ids[1]!, ids[2]!, start, end, n, k], 2);
      Atomics.store(ctl, 0, seq);
      Atomics.notify(ctl, 0);
    }
    gemmABt(a, b, c, 0, Math.min(rows, share), n, k);
    for (const ctl of this.control) {
      while (Atomics.load(ctl, 1) !== seq) Atomics.wait(ctl, 1, Atomics.load(ctl, 1), 1000);
      if (Atomics.load(ctl, 9) !== 0) throw new Error('a gemm worker failed: see its error output');
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const WORKER_SOURCE = `
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
${dot.toString()}
${gemmABt.toString().replace(/\(0, _?[a-z_]*\.?dot\)/g, 'dot')}
const control = workerData.control;
const arrays = [];
// Buffers are announced by message, which may land after the request that first uses them.
function array(id) {
  let m;
  while (arrays[id] === undefined) {
    while ((m = receiveMessageOnPort(parentPort))) arrays[m.message.id] = new Float32Array(m.message.buffer);
    if (arrays[id] === undefined) Atomics.wait(control, 0, Atomics.load(control, 0), 1);
  }
  return arrays[id];
}
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  const [a, b, c, start, end, n, k] = control.subarray(2);
  try {
    if (end > start) gemmABt(array(a), array(b), array(c), start, end, n, k);
  } catch (err) {
    console.error(err);
    Atomics.store(control, 9, 1);
  }
  Atomics.store(control, 1, seen);
  Atomics.notify(control, 1);
}
`;
