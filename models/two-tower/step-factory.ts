import { InBatchSoftmaxStep, type StepBatch, type StepShape, type TowerWeights } from './softmax-step.js';
import { TfjsSoftmaxStep } from './tfjs-step.js';
import { KernelPool } from '../kernels/kernel-pool.js';
import { loadNativeTf } from './tfjs-backend.js';

/** The dense part of a training step, whichever implementation runs it. */
export interface DenseStep {
  readonly backend: string;
  readonly dWu: Float32Array;
  readonly dWm: Float32Array;
  readonly dXu: Float32Array;
  readonly dXm: Float32Array;
  /** Input buffers, filled by the caller before each `run`. */
  readonly batch: StepBatch;
  run(weights: TowerWeights): number;
  dispose(): void;
}

/**
 * tfjs with native kernels when @tensorflow/tfjs-node loads; otherwise the hand-written step
 * (WebAssembly SIMD products on shared memory, 2 threads), ~30× faster than tfjs's pure-JS CPU
 * backend on this step (BENCHMARKS.md). tfjs's CPU backend is never used for training: it is the
 * reference the hand-written step is tested against.
 */
export async function createStep(shape: StepShape & { threads: number }): Promise<DenseStep> {
  const loaded = await loadNativeTf();
  if (loaded) {
    const step = new TfjsSoftmaxStep(loaded.tf, shape);
    return Object.assign(step, { backend: `tfjs-${loaded.backend}`, dispose: () => {} });
  }
  const pool = new KernelPool(shape.threads);
  const step = new InBatchSoftmaxStep(shape, pool);
  return Object.assign(step, {
    backend: `${pool.simd ? 'wasm-simd' : 'js'}×${shape.threads}`,
    dispose: () => void pool.close(),
  });
}
