import type { Rng } from '../../src/util/rng.js';

/**
 * An embedding table as one Float32Array (rows × dim) trained with row-wise Adagrad: one
 * accumulator per row, updated only for the rows a step touched. The gradient of a step is
 * gathered per touched row first, so a row that appears many times in a batch gets one update.
 * This is what keeps a step's cost independent of the vocabulary size.
 */
export class EmbeddingTable {
  readonly weights: Float32Array;
  readonly accumulators: Float32Array;
  /** Row → slot in the step's gradient buffer, or -1. */
  private readonly slotOf: Int32Array;
  private touched: Int32Array;
  private grads: Float32Array;
  private count = 0;

  constructor(
    readonly rows: number,
    readonly dim: number,
    weights?: Float32Array,
    accumulators?: Float32Array,
  ) {
    this.weights = weights ?? new Float32Array(rows * dim);
    this.accumulators = accumulators ?? new Float32Array(rows);
    this.slotOf = new Int32Array(rows).fill(-1);
    this.touched = new Int32Array(1024);
    this.grads = new Float32Array(1024 * dim);
  }

  /** Small random init (N(0, scale²)), in row order: every row, or only those `marked` (the others stay zero). */
  initNormal(rng: Rng, scale: number, marked?: Uint8Array): this {
    const d = this.dim;
    for (let row = 0; row < this.rows; row++) {
      if (marked && !marked[row]) continue;
      for (let k = row * d; k < (row + 1) * d; k++) this.weights[k] = rng.normal() * scale;
    }
    return this;
  }

  /** Adds `scale · g[go .. go+dim)` to the pending gradient of `row`. */
  accumulate(row: number, g: Float32Array, go: number, scale: number): void {
    let slot = this.slotOf[row]!;
    if (slot < 0) {
      slot = this.count++;
      if (slot >= this.touched.length) this.grow();
      this.slotOf[row] = slot;
      this.touched[slot] = row;
      this.grads.fill(0, slot * this.dim, (slot + 1) * this.dim);
    }
    const o = slot * this.dim;
    for (let k = 0; k < this.dim; k++) this.grads[o + k]! += scale * g[go + k]!;
  }

  /** Applies the pending gradients with row-wise Adagrad and clears them. */
  applyAdagrad(learningRate: number, epsilon = 1e-8): void {
    const { dim, weights, accumulators, grads } = this;
    for (let s = 0; s < this.count; s++) {
      const row = this.touched[s]!;
      const go = s * dim;
      let sq = 0;
      for (let k = 0; k < dim; k++) sq += grads[go + k]! * grads[go + k]!;
      const acc = (accumulators[row]! += sq / dim);
      const step = learningRate / (Math.sqrt(acc) + epsilon);
      const wo = row * dim;
      for (let k = 0; k < dim; k++) weights[wo + k]! -= step * grads[go + k]!;
      this.slotOf[row] = -1;
    }
    this.count = 0;
  }

  private grow(): void {
    const touched = new Int32Array(this.touched.length * 2);
    touched.set(this.touched);
    this.touched = touched;
    const grads = new Float32Array(this.grads.length * 2);
    grads.set(this.grads);
    this.grads = grads;
  }
}

/** Adam over one dense Float32Array (the tower layers: a few thousand parameters). */
export class DenseAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(
    readonly params: Float32Array,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  apply(grad: Float32Array): void {
    this.t++;
    const { beta1, beta2, m, v, params } = this;
    const lr = (this.learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      params[i]! -= (lr * m[i]!) / (Math.sqrt(v[i]!) + this.epsilon);
    }
  }
}
