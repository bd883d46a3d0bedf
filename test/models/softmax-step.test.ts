import { describe, expect, it } from 'vitest';
import {
  InBatchSoftmaxStep,
  loadBatch,
  type StepBatch,
  type StepShape,
} from '../../models/two-tower/softmax-step.js';
import { KernelPool } from '../../models/kernels/kernel-pool.js';
import { TfjsSoftmaxStep } from '../../models/two-tower/tfjs-step.js';
import { loadTf } from '../../models/two-tower/tfjs-backend.js';
import { Rng } from '../../src/util/rng.js';

const shape: StepShape = { maxBatch: 24, dim: 8, userInputDim: 16, itemInputDim: 8, temperature: 0.1 };

function randomBatch(rng: Rng, size: number): StepBatch {
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    size,
    xu: normal(size * shape.userInputDim),
    xm: normal(size * shape.itemInputDim),
    // Items repeat within the batch, so the same-item masking is exercised.
    item: Int32Array.from({ length: size }, () => rng.int(size / 2)),
    logQ: Float32Array.from({ length: size }, () => Math.log(0.01 + rng.next() * 0.1)),
    weight: Float32Array.from({ length: size }, () => 0.5 + rng.next() * 4),
  };
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

describe('in-batch softmax step', () => {
  it('computes the same loss and gradients as tfjs autograd', async () => {
    const { tf } = await loadTf({ allowNative: false });
    const rng = Rng.of(3, 'grad-check');
    const weights = {
      wu: Float32Array.from({ length: shape.dim * shape.userInputDim }, () => rng.normal() * 0.3),
      wm: Float32Array.from({ length: shape.dim * shape.itemInputDim }, () => rng.normal() * 0.3),
    };
    const pool = new KernelPool(2);
    for (const [size, ours] of [
      [24, new InBatchSoftmaxStep(shape)],
      [13, new InBatchSoftmaxStep(shape)],
      [24, new InBatchSoftmaxStep(shape, pool)],
      // Two threads' shares of 8 and 5 rows.
      [13, new InBatchSoftmaxStep(shape, pool)],
    ] as const) {
      const batch = randomBatch(rng, size);
      const reference = new TfjsSoftmaxStep(tf, shape);
      loadBatch(ours.batch, batch);
      loadBatch(reference.batch, batch);
      const loss = ours.run(weights);
      const expected = reference.run(weights);
      expect(loss).toBeCloseTo(expected, 4);
      expect(maxRelativeError(ours.dWu, reference.dWu)).toBeLessThan(1e-4);
      expect(maxRelativeError(ours.dWm, reference.dWm)).toBeLessThan(1e-4);
      const rows = (x: Float32Array, width: number) => x.subarray(0, size * width);
      expect(maxRelativeError(rows(ours.dXu, 16), rows(reference.dXu, 16))).toBeLessThan(1e-4);
      expect(maxRelativeError(rows(ours.dXm, 8), rows(reference.dXm, 8))).toBeLessThan(1e-4);
    }
    await pool.close();
  });

  it('leaks no tensors across tfjs steps', async () => {
    const { tf } = await loadTf({ allowNative: false });
    const rng = Rng.of(4, 'leaks');
    const weights = {
      wu: Float32Array.from({ length: shape.dim * shape.userInputDim }, () => rng.normal()),
      wm: Float32Array.from({ length: shape.dim * shape.itemInputDim }, () => rng.normal()),
    };
    const step = new TfjsSoftmaxStep(tf, shape);
    const run = () => {
      loadBatch(step.batch, randomBatch(rng, 24));
      return step.run(weights);
    };
    run();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) run();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
