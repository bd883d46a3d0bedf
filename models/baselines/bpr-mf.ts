import { dot } from '../vector-search/dot.js';
import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { Rng } from '../../src/util/rng.js';
import { assertFitted, knownUser, userItems, type UserItems } from './common.js';

export interface BprOptions {
  dim?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 regularisation of the factors. */
  reg?: number;
  /** L2 regularisation of the item biases. */
  biasReg?: number;
  /** Standard deviation of the initial factors. */
  initScale?: number;
}

/**
 * BPR matrix factorisation (Rendle et al. 2009): x(u, i) = b_i + p_u · q_i, trained by SGD on
 * ln σ(x(u, i) − x(u, j)) for a positive pair (u, i) drawn uniformly from the distinct training pairs
 * and a negative j drawn uniformly from the training items the user has not touched. One epoch is
 * as many updates as there are pairs. Factors and biases live in flat Float32Arrays; randomness is
 * the simulator's seeded sfc32 stream, so a seed gives the same model.
 */
export class BprMfRecommender implements Recommender {
  readonly name = 'bpr-mf';
  readonly dim: number;
  readonly epochs: number;
  private readonly lr: number;
  private readonly reg: number;
  private readonly biasReg: number;
  private readonly initScale: number;
  private model: { items: UserItems; p: Float32Array; q: Float32Array; b: Float32Array } | undefined;

  constructor(options: BprOptions = {}) {
    this.dim = options.dim ?? 64;
    this.epochs = options.epochs ?? 20;
    this.lr = options.learningRate ?? 0.05;
    this.reg = options.reg ?? 0.002;
    this.biasReg = options.biasReg ?? 0.002;
    this.initScale = options.initScale ?? 0.1;
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    const { numUsers, numItems } = train;
    const d = this.dim;
    const rng = Rng.of(options.seed, 'bpr-mf');
    const items = userItems(train);
    // Each user's items sorted by index, for the negative check by binary search.
    const sortedItems = items.item.slice();
    for (let u = 0; u < numUsers; u++) sortedItems.subarray(items.start[u]!, items.start[u + 1]!).sort();
    const pairUser = new Int32Array(sortedItems.length);
    for (let u = 0; u < numUsers; u++) pairUser.fill(u, items.start[u]!, items.start[u + 1]!);
    const isTrainItem = new Uint8Array(numItems);
    for (const i of sortedItems) isTrainItem[i] = 1;
    const negatives = Int32Array.from({ length: numItems }, (_, i) => i).filter((i) => isTrainItem[i] === 1);

    const p = new Float32Array(numUsers * d);
    const q = new Float32Array(numItems * d);
    const b = new Float32Array(numItems);
    for (let k = 0; k < p.length; k++) p[k] = rng.normal() * this.initScale;
    // Items without training pairs keep zero factors: they score 0 (no information), not noise.
    for (let i = 0; i < numItems; i++) {
      if (isTrainItem[i]) for (let f = 0; f < d; f++) q[i * d + f] = rng.normal() * this.initScale;
    }
    this.model = { items, p, q, b };
    const numPairs = sortedItems.length;
    if (numPairs === 0 || negatives.length < 2) return;

    const state: SgdState = {
      d,
      lr: this.lr,
      reg: this.reg,
      biasReg: this.biasReg,
      p,
      q,
      b,
      rng,
      pairUser,
      sortedItems,
      userStart: items.start,
      negatives,
    };
    const total = this.epochs * numPairs;
    const chunk = 1 << 16;
    let lastReport = Date.now();
    for (let done = 0; done < total; done += chunk) {
      sgdSteps(state, Math.min(chunk, total - done));
      if (Date.now() - lastReport > 200) {
        const epoch = Math.min(this.epochs, Math.floor(done / numPairs) + 1);
        options.onProgress?.(done / total, `bpr-mf epoch ${epoch}/${this.epochs}`);
        lastReport = Date.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    options.onProgress?.(1, 'bpr-mf');
  }

  scoreUser(user: number, out: Float32Array): void {
    const { items, p, q, b } = assertFitted(this.model, this.name);
    const d = this.dim;
    const numItems = Math.min(out.length, b.length);
    // A user without training pairs has only their random initial factors: item biases alone.
    const known = knownUser(items, user) && items.start[user + 1]! > items.start[user]!;
    const pu = user * d;
    for (let i = 0; i < numItems; i++) {
      let s = b[i]!;
      if (known) s += dot(p, pu, q, i * d, d);
      out[i] = s;
    }
  }
}

interface SgdState {
  d: number;
  lr: number;
  reg: number;
  biasReg: number;
  p: Float32Array;
  q: Float32Array;
  b: Float32Array;
  rng: Rng;
  pairUser: Int32Array;
  sortedItems: Int32Array;
  userStart: Int32Array;
  negatives: Int32Array;
}

/** `steps` SGD updates (a plain synchronous function, so V8 optimises the loop as a whole). */
function sgdSteps(state: SgdState, steps: number): void {
  const { d, lr, reg, biasReg, p, q, b, rng, pairUser, sortedItems, userStart, negatives } = state;
  const numPairs = sortedItems.length;
  const numNegatives = negatives.length;
  for (let step = 0; step < steps; step++) {
    const pair = rng.int(numPairs);
    const u = pairUser[pair]!;
    const i = sortedItems[pair]!;
    const from = userStart[u]!;
    const to = userStart[u + 1]!;
    if (to - from >= numNegatives) continue; // the user touched every item: no negative
    let j = negatives[rng.int(numNegatives)]!;
    while (contains(sortedItems, from, to, j)) j = negatives[rng.int(numNegatives)]!;

    const pu = u * d;
    const qi = i * d;
    const qj = j * d;
    const x = b[i]! - b[j]! + dot(p, pu, q, qi, d) - dot(p, pu, q, qj, d);
    // d/dx ln σ(x) = σ(−x)
    const g = 1 / (1 + Math.exp(x));
    for (let f = 0; f < d; f++) {
      const puf = p[pu + f]!;
      const qif = q[qi + f]!;
      const qjf = q[qj + f]!;
      p[pu + f] = puf + lr * (g * (qif - qjf) - reg * puf);
      q[qi + f] = qif + lr * (g * puf - reg * qif);
      q[qj + f] = qjf + lr * (-g * puf - reg * qjf);
    }
    b[i] = b[i]! + lr * (g - biasReg * b[i]!);
    b[j] = b[j]! + lr * (-g - biasReg * b[j]!);
  }
}

/** Whether sorted `a[from..to)` holds `x`. */
function contains(a: Int32Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
