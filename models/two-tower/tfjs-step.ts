import type * as tfType from '@tensorflow/tfjs';
import { allocateBatch, type StepBatch, type StepShape, type TowerWeights } from './softmax-step.js';

/** Large enough to zero a softmax term, small enough to keep gradients finite (unlike −∞). */
const MASKED = -1e9;

/**
 * The same loss as InBatchSoftmaxStep, differentiated by tfjs autograd. With
 * `@tensorflow/tfjs-node` loaded this is the fast path (native kernels); on the pure-JS backends
 * it is the reference the hand-written step is tested against. Only gathered rows enter tfjs:
 * the embedding tables stay typed arrays updated sparsely, never differentiated through `gather`.
 */
export class TfjsSoftmaxStep {
  readonly batch: StepBatch;
  readonly dWu: Float32Array;
  readonly dWm: Float32Array;
  readonly dXu: Float32Array;
  readonly dXm: Float32Array;

  constructor(
    private readonly tf: typeof tfType,
    readonly shape: StepShape,
  ) {
    const { maxBatch: b, dim: d, userInputDim: du, itemInputDim: dm } = shape;
    this.dWu = new Float32Array(d * du);
    this.dWm = new Float32Array(d * dm);
    this.dXu = new Float32Array(b * du);
    this.dXm = new Float32Array(b * dm);
    this.batch = allocateBatch(shape);
  }

  run(w: TowerWeights): number {
    const { tf, batch } = this;
    const { dim: d, userInputDim: du, itemInputDim: dm, temperature } = this.shape;
    const n = batch.size;
    const mask = new Float32Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j && batch.item[i] === batch.item[j]) mask[i * n + j] = MASKED;
    let weightSum = 0;
    for (let i = 0; i < n; i++) weightSum += batch.weight[i]!;

    return tf.tidy(() => {
      const xu = tf.tensor2d(batch.xu.subarray(0, n * du), [n, du]);
      const xm = tf.tensor2d(batch.xm.subarray(0, n * dm), [n, dm]);
      const wu = tf.tensor2d(w.wu, [d, du]);
      const wm = tf.tensor2d(w.wm, [d, dm]);
      const bias = tf.sub(tf.tensor2d(mask, [n, n]), tf.tensor2d(batch.logQ.subarray(0, n), [1, n]));
      const exampleWeight = tf.tensor1d(batch.weight.subarray(0, n)).div(weightSum);
      const diagonal = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
      const lossOf = (...[xU, xM, wU, wM]: tfType.Tensor[]) => {
        const u = l2Normalise(tf, tf.matMul(xU!, wU!, false, true));
        const m = l2Normalise(tf, tf.matMul(xM!, wM!, false, true));
        const logits = tf.add(tf.div(tf.matMul(u, m, false, true), temperature), bias);
        const positive = tf.sum(tf.mul(tf.logSoftmax(logits), diagonal), 1);
        return tf.neg(tf.sum(tf.mul(positive, exampleWeight))) as tfType.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(lossOf)([xu, xm, wu, wm]);
      this.dXu.set(grads[0]!.dataSync());
      this.dXm.set(grads[1]!.dataSync());
      this.dWu.set(grads[2]!.dataSync());
      this.dWm.set(grads[3]!.dataSync());
      return value.dataSync()[0]!;
    });
  }
}

function l2Normalise(tf: typeof tfType, x: tfType.Tensor): tfType.Tensor {
  return tf.div(x, tf.sqrt(tf.sum(tf.square(x), 1, true)));
}
