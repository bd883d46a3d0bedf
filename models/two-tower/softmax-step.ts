import { KernelPool } from '../kernels/kernel-pool.js';
import { transpose } from '../kernels/gemm.js';

/** One batch as the dense part of the model sees it: tower inputs already gathered. */
export interface StepBatch {
  size: number;
  /** size × userInputDim: the user tower's input rows. */
  xu: Float32Array;
  /** size × itemInputDim: the item tower's input rows (the positives). */
  xm: Float32Array;
  /** Item index of each positive: other rows holding the same item are not negatives. */
  item: Int32Array;
  /** log of each positive item's sampling probability (the log-Q correction). */
  logQ: Float32Array;
  /** Example weight (interaction type × time decay). */
  weight: Float32Array;
}

/** The towers' dense layers: U = normalize(xu·Wuᵀ), M = normalize(xm·Wmᵀ). */
export interface TowerWeights {
  /** dim × userInputDim */
  wu: Float32Array;
  /** dim × itemInputDim */
  wm: Float32Array;
}

export interface StepShape {
  maxBatch: number;
  dim: number;
  userInputDim: number;
  itemInputDim: number;
  temperature: number;
}

/**
 * Forward and backward pass of in-batch sampled softmax with log-Q correction over two linear
 * towers with L2-normalised outputs, written out by hand on preallocated buffers:
 *
 *   s_ij = u_i·m_j / τ − log q_j   (−∞ where row j holds row i's item, j ≠ i)
 *   loss = Σ_i w_i · −log softmax(s_i)_i / Σ_i w_i
 *
 * It returns the loss and leaves the gradients with respect to both towers' weights and inputs in
 * `dWu`, `dWm`, `dXu`, `dXm`; the caller scatters the input gradients into the embedding tables.
 * `test/models/softmax-step.test.ts` checks these gradients against tfjs autograd.
 */
export class InBatchSoftmaxStep {
  /** Input buffers to fill before `run` (shared memory, so kernel threads can read them). */
  readonly batch: StepBatch;
  readonly dWu: Float32Array;
  readonly dWm: Float32Array;
  readonly dXu: Float32Array;
  readonly dXm: Float32Array;
  private readonly u: Float32Array;
  private readonly m: Float32Array;
  private readonly invNormU: Float32Array;
  private readonly invNormM: Float32Array;
  private readonly logits: Float32Array;
  private readonly logitsT: Float32Array;
  private readonly ut: Float32Array;
  private readonly mt: Float32Array;
  private readonly du: Float32Array;
  private readonly dm: Float32Array;
  private readonly xuT: Float32Array;
  private readonly xmT: Float32Array;
  private readonly wuT: Float32Array;
  private readonly wmT: Float32Array;
  private readonly sameItemNext: Int32Array;
  private readonly wu: Float32Array;
  private readonly wm: Float32Array;

  constructor(
    readonly shape: StepShape,
    private readonly pool: KernelPool = new KernelPool(1),
  ) {
    const { maxBatch: b, dim: d, userInputDim: du, itemInputDim: dm } = shape;
    const f32 = (n: number) => pool.allocate(n);
    this.batch = allocateBatch(shape, f32);
    this.wu = f32(d * du);
    this.wm = f32(d * dm);
    this.dWu = f32(d * du);
    this.dWm = f32(d * dm);
    this.dXu = f32(b * du);
    this.dXm = f32(b * dm);
    this.u = f32(b * d);
    this.m = f32(b * d);
    this.invNormU = new Float32Array(b);
    this.invNormM = new Float32Array(b);
    this.logits = f32(b * b);
    this.logitsT = f32(b * b);
    this.ut = f32(d * b);
    this.mt = f32(d * b);
    this.du = f32(b * d);
    this.dm = f32(b * d);
    this.xuT = f32(du * b);
    this.xmT = f32(dm * b);
    this.wuT = f32(du * d);
    this.wmT = f32(dm * d);
    this.sameItemNext = pool.allocateInt32(b);
  }

  /** Runs on `this.batch` (see `load` for filling it from other arrays). */
  run(w: TowerWeights): number {
    const { batch, pool } = this;
    const { dim: d, userInputDim: du, itemInputDim: dmIn, temperature } = this.shape;
    const n = batch.size;
    if (n > this.shape.maxBatch) throw new RangeError(`batch ${n} > ${this.shape.maxBatch}`);
    this.wu.set(w.wu);
    this.wm.set(w.wm);
    const gemm = (a: Float32Array, b: Float32Array, c: Float32Array, rows: number, cols: number, k: number) =>
      pool.gemm(a, b, c, rows, cols, k);

    // Towers: project, then L2-normalise (keeping 1/‖·‖ for the backward pass).
    gemm(batch.xu, this.wu, this.u, n, d, du);
    gemm(batch.xm, this.wm, this.m, n, d, dmIn);
    normaliseRows(this.u, n, d, this.invNormU);
    normaliseRows(this.m, n, d, this.invNormM);

    // Logits, masked, then softmax in place; G = ∂loss/∂logits overwrites them (and Gᵀ is kept).
    const s = this.logits;
    gemm(this.u, this.m, s, n, n, d);
    this.linkSameItems(batch.item, n);
    let weightSum = 0;
    for (let i = 0; i < n; i++) weightSum += batch.weight[i]!;
    const loss = pool.softmaxRows(
      s,
      this.logitsT,
      batch.logQ,
      this.sameItemNext,
      batch.weight,
      n,
      1 / temperature,
      weightSum,
    );

    // dU = G·M and dM = Gᵀ·U, through the normalisation.
    transpose(this.m, n, d, this.mt);
    gemm(s, this.mt, this.du, n, d, n);
    transpose(this.u, n, d, this.ut);
    gemm(this.logitsT, this.ut, this.dm, n, d, n);
    backThroughNorm(this.u, this.du, this.invNormU, n, d);
    backThroughNorm(this.m, this.dm, this.invNormM, n, d);

    // Weights: dW = dYᵀ·X. Inputs: dX = dY·W.
    const duT = this.ut; // reuse: dU is no longer needed after this
    transpose(this.du, n, d, duT);
    transpose(batch.xu, n, du, this.xuT);
    gemm(duT, this.xuT, this.dWu, d, du, n);
    const dmT = this.mt;
    transpose(this.dm, n, d, dmT);
    transpose(batch.xm, n, dmIn, this.xmT);
    gemm(dmT, this.xmT, this.dWm, d, dmIn, n);
    transpose(this.wu, d, du, this.wuT);
    gemm(this.du, this.wuT, this.dXu, n, du, d);
    transpose(this.wm, d, dmIn, this.wmT);
    gemm(this.dm, this.wmT, this.dXm, n, dmIn, d);
    return loss;
  }

  /** Circular lists of the rows that hold the same item (a row alone points to itself). */
  private linkSameItems(item: Int32Array, n: number): void {
    const last = new Map<number, number>();
    const first = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const it = item[i]!;
      const prev = last.get(it);
      if (prev === undefined) first.set(it, i);
      else this.sameItemNext[prev] = i;
      last.set(it, i);
    }
    for (const [it, tail] of last) this.sameItemNext[tail] = first.get(it)!;
  }
}

export function allocateBatch(
  shape: StepShape,
  f32: (n: number) => Float32Array = (n) => new Float32Array(n),
): StepBatch {
  const b = shape.maxBatch;
  return {
    size: 0,
    xu: f32(b * shape.userInputDim),
    xm: f32(b * shape.itemInputDim),
    item: new Int32Array(b),
    logQ: f32(b),
    weight: f32(b),
  };
}

/** Copies a batch held elsewhere into a step's input buffers (tests, benchmarks). */
export function loadBatch(into: StepBatch, source: StepBatch): void {
  const n = source.size;
  into.size = n;
  into.xu.set(source.xu.subarray(0, (source.xu.length / source.item.length) * n));
  into.xm.set(source.xm.subarray(0, (source.xm.length / source.item.length) * n));
  into.item.set(source.item.subarray(0, n));
  into.logQ.set(source.logQ.subarray(0, n));
  into.weight.set(source.weight.subarray(0, n));
}

/** Normalises each row in place; keeps 1/‖row‖ (rows of zeros stay zero). */
export function normaliseRows(x: Float32Array, rows: number, d: number, invNorm?: Float32Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let sq = 0;
    for (let k = 0; k < d; k++) sq += x[o + k]! * x[o + k]!;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let k = 0; k < d; k++) x[o + k]! *= inv;
    if (invNorm) invNorm[i] = inv;
  }
}

/** g ← (g − y (y·g)) / ‖x‖: the gradient through y = x/‖x‖, in place. */
function backThroughNorm(
  y: Float32Array,
  g: Float32Array,
  invNorm: Float32Array,
  rows: number,
  d: number,
): void {
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let proj = 0;
    for (let k = 0; k < d; k++) proj += y[o + k]! * g[o + k]!;
    const inv = invNorm[i]!;
    for (let k = 0; k < d; k++) g[o + k] = (g[o + k]! - y[o + k]! * proj) * inv;
  }
}
