import { mkdir } from 'node:fs/promises';
import { dot } from '../vector-search/dot.js';
import type { FitOptions, PersistentRecommender, TrainSet } from '../core/types.js';
import { Rng } from '../../src/util/rng.js';
import { assertFitted, knownUser, userItems, type UserItems } from '../baselines/common.js';
import { saveBpr } from './artifact.js';
import { BPR_KIND, BprHyperparameters, type BprParameters } from './parameters.js';

/** What scoring needs of the train set it answers for (bound after fit, or by `bind`). */
interface Bound {
  items: UserItems;
  /** User index → row of the learned user factors, or −1. */
  userRow: Int32Array;
  /** Item index → row of the learned item factors and biases, or −1 (scores 0). */
  itemRow: Int32Array;
}

/**
 * BPR matrix factorisation (Rendle et al. 2009): x(u, i) = b_i + p_u · q_i, trained by SGD on
 * ln σ(x(u, i) − x(u, j)) for a positive pair (u, i) drawn uniformly from the distinct training pairs
 * and a negative j drawn uniformly from the training items the user has not touched. One epoch is
 * as many updates as there are pairs. Factors and biases live in flat Float32Arrays; randomness is
 * the simulator's seeded sfc32 stream, so a seed gives the same model. Also the registry kind
 * `bpr-mf`: the factors of the users and items that had training pairs are saved with their ids; a
 * user the model was not trained on (bound to another split, or served) is placed at the mean of
 * their items' factors.
 */
export class BprMfRecommender implements PersistentRecommender {
  readonly name = BPR_KIND;
  readonly kind = BPR_KIND;
  readonly hyperparameters: BprHyperparameters;
  readonly dim: number;
  readonly epochs: number;
  private readonly lr: number;
  private readonly reg: number;
  private readonly biasReg: number;
  private readonly initScale: number;
  private params: BprParameters | undefined;
  private bound: Bound | undefined;

  constructor(options: Partial<BprHyperparameters> | Record<string, unknown> = {}, params?: BprParameters) {
    const hp = BprHyperparameters.parse(options);
    this.hyperparameters = hp;
    this.dim = hp.dim;
    this.epochs = hp.epochs;
    this.lr = hp.learningRate;
    this.reg = hp.reg;
    this.biasReg = hp.biasReg;
    this.initScale = hp.initScale;
    this.params = params;
  }

  /** The learned parameters (after fit or load). */
  get parameters(): BprParameters {
    return assertFitted(this.params, this.name);
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
    const numPairs = sortedItems.length;
    if (numPairs === 0 || negatives.length < 2) {
      this.keep(train, items, isTrainItem, p, q, b);
      return;
    }

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
    this.keep(train, items, isTrainItem, p, q, b);
    options.onProgress?.(1, 'bpr-mf');
  }

  /**
   * Keeps what was learned: the rows of users and items with training pairs (the others' factors
   * are their random start, or zero), and binds the train set's indices to them.
   */
  private keep(
    train: TrainSet,
    items: UserItems,
    isTrainItem: Uint8Array,
    p: Float32Array,
    q: Float32Array,
    b: Float32Array,
  ): void {
    const d = this.dim;
    const userRow = new Int32Array(train.numUsers).fill(-1);
    const users: number[] = [];
    for (let u = 0; u < train.numUsers; u++)
      if (items.start[u + 1]! > items.start[u]!) userRow[u] = users.push(u) - 1;
    const itemRow = new Int32Array(train.numItems).fill(-1);
    const trainedItems: number[] = [];
    for (let i = 0; i < train.numItems; i++) if (isTrainItem[i]) itemRow[i] = trainedItems.push(i) - 1;
    const rows = (from: Float32Array, of: number[], width: number) => {
      const out = new Float32Array(of.length * width);
      of.forEach((r, k) => out.set(from.subarray(r * width, r * width + width), k * width));
      return out;
    };
    this.params = {
      hp: this.hyperparameters,
      userIds: users.map((u) => train.log.userIds[u]!),
      itemIds: trainedItems.map((i) => train.log.itemIds[i]!),
      p: rows(p, users, d),
      q: rows(q, trainedItems, d),
      b: rows(b, trainedItems, 1),
    };
    this.bound = { items, userRow, itemRow };
  }

  /** Answers for `train`'s users and items with the factors as learned, matched by id. */
  bind(train: TrainSet): void {
    const { userIds, itemIds } = this.parameters;
    const rowOf = (ids: readonly string[], vocabulary: readonly string[]) => {
      const index = new Map(ids.map((id, k) => [id, k]));
      return Int32Array.from(vocabulary, (id) => index.get(id) ?? -1);
    };
    this.bound = {
      items: userItems(train),
      userRow: rowOf(userIds, train.log.userIds),
      itemRow: rowOf(itemIds, train.log.itemIds),
    };
  }

  scoreUser(user: number, out: Float32Array): void {
    const { items, userRow, itemRow } = assertFitted(this.bound, this.name);
    const { p, q, b } = this.parameters;
    const d = this.dim;
    const numItems = Math.min(out.length, itemRow.length);
    const row = knownUser(items, user) ? userRow[user]! : -1;
    // A trained user's factors; else the mean of their items' (a user the model never saw); else
    // nothing personal: item biases alone.
    let factors: Float32Array | undefined;
    let offset = 0;
    if (row >= 0) {
      factors = p;
      offset = row * d;
    } else if (knownUser(items, user)) {
      const rows: number[] = [];
      for (let k = items.start[user]!; k < items.start[user + 1]!; k++) {
        const r = itemRow[items.item[k]!]!;
        if (r >= 0) rows.push(r);
      }
      if (rows.length) factors = meanRows(q, d, rows);
    }
    for (let i = 0; i < numItems; i++) {
      const r = itemRow[i]!;
      if (r < 0) {
        out[i] = 0;
        continue;
      }
      let s = b[r]!;
      if (factors) s += dot(factors, offset, q, r * d, d);
      out[i] = s;
    }
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveBpr(this.parameters, dir);
  }
}

/** The mean of rows `rows` of a row-major table of width d. */
export function meanRows(table: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(d);
  for (const r of rows) for (let f = 0; f < d; f++) out[f]! += table[r * d + f]!;
  for (let f = 0; f < d; f++) out[f]! /= rows.length;
  return out;
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
