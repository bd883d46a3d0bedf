import type { FitOptions, InteractionLog, PersistentRecommender, TrainSet } from '../core/types.js';
import { Rng } from '../../src/util/rng.js';
import { addMeanRows, hashContent, type HashedContent } from './content-hash.js';
import { gemmABt } from '../kernels/gemm.js';
import { DenseAdam, EmbeddingTable } from './embedding-table.js';
import { DAY_MS } from '../../src/util/durations.js';
import { TwoTowerHyperparameters, halfLifeMs } from './hyperparameters.js';
import { normaliseRows } from './softmax-step.js';
import { createStep, type DenseStep } from './step-factory.js';
import { UserHistories } from './user-histories.js';
import type { TwoTowerParameters } from './parameters.js';

export const TWO_TOWER_KIND = 'two-tower';

/**
 * Two-tower retrieval model. Item input: id embedding (hidden with probability itemIdDropout during
 * training) plus the mean of its hashed content-token embeddings, so a market never seen in training
 * still gets a vector. User input: id embedding next to the mean item input of the user's latest
 * interactions, so new interactions move the vector at serving time without retraining. Each tower
 * is one dense layer followed by L2 normalisation; scores are cosine similarities.
 */
export class TwoTowerModel implements PersistentRecommender {
  readonly kind = TWO_TOWER_KIND;
  readonly name = TWO_TOWER_KIND;
  readonly hyperparameters: TwoTowerHyperparameters;
  private params: TwoTowerParameters | undefined;
  /** Scoring state for the split last fitted or bound. */
  private bound: Bound | undefined;
  /**
   * Set by fit: the half-life examples decayed with in days (trainingHalfLife; absent without
   * decay, under leave-last-out), the negatives' window in batches (0: the whole log), examples/s,
   * the backend that ran the dense step and the last epoch's mean loss.
   */
  lastFit:
    | {
        halfLifeDays?: number;
        negativeWindowBatches: number;
        examplesPerSecond: number;
        backend: string;
        finalLoss: number;
      }
    | undefined;

  constructor(hyperparameters: Partial<TwoTowerHyperparameters> = {}, params?: TwoTowerParameters) {
    this.hyperparameters = TwoTowerHyperparameters.parse(hyperparameters);
    this.params = params;
  }

  get parameters(): TwoTowerParameters {
    if (!this.params) throw new Error('two-tower model is not trained');
    return this.params;
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    const hp = this.hyperparameters;
    const rng = Rng.of(options.seed, 'two-tower');
    const withContent = train.content !== undefined;
    const content = hashContent(train.content, train.numItems, hp.contentBuckets, hp.maxContentTokens);
    const { log } = train;
    const p: TwoTowerParameters = {
      hp,
      userIds: log.userIds,
      itemIds: log.itemIds,
      itemTrained: new Uint8Array(train.numItems),
      userTrained: new Uint8Array(train.numUsers),
      users: new EmbeddingTable(train.numUsers, hp.dim).initNormal(rng, 0.1),
      items: new EmbeddingTable(train.numItems, hp.dim).initNormal(rng, 0.1),
      // Only the buckets the vocabulary's tokens hash to: the others never train, and a token first
      // seen after the fit that lands in one adds nothing rather than noise. Drawing all 65,536 × 64
      // normals took 0.15–0.4 s of every fit (3–4 s on the 1,000-user simulator), and ids-only logs
      // have no tokens at all.
      content: new EmbeddingTable(hp.contentBuckets, hp.dim).initNormal(
        rng,
        0.1,
        usedBuckets(content, hp.contentBuckets),
      ),
      wu: glorot(rng, hp.dim, 2 * hp.dim),
      wm: glorot(rng, hp.dim, hp.dim),
      withContent,
      itemInputs: new Float32Array(0),
    };
    for (let r = 0; r < log.user.length; r++) {
      p.itemTrained[log.item[r]!] = 1;
      p.userTrained[log.user[r]!] = 1;
    }
    this.params = p;
    const histories = new UserHistories(log, train.numUsers);
    // Held out anywhere in time (leave-last-out), a user's next row is not "after the cut": decay
    // towards it and negatives from the same time would judge users by how long ago they left.
    const afterCut = train.target !== 'each-users-last';
    const halfLife = afterCut
      ? trainingHalfLife(log, train.cutoffMs, halfLifeMs(hp), hp.minDecayedShare)
      : Infinity;
    const windowBatches = afterCut ? hp.negativeWindowBatches : 0;
    const examples = exampleWeights(log, train.cutoffMs, halfLife);
    // log Q per training row: the log-probability that its item is drawn as an in-batch negative
    // (set each epoch by epochBatches; stays 0 without the correction).
    const logQ = new Float32Array(hp.logQCorrection ? log.user.length : 0);

    const step = await createStep({
      maxBatch: hp.batchSize,
      dim: hp.dim,
      userInputDim: 2 * hp.dim,
      itemInputDim: hp.dim,
      temperature: hp.temperature,
      threads: hp.threads,
    });
    try {
      const trainer = new BatchTrainer(p, content, histories, step, rng);
      const wuAdam = new DenseAdam(p.wu, hp.denseLearningRate);
      const wmAdam = new DenseAdam(p.wm, hp.denseLearningRate);
      const n = log.user.length;
      const order = new Int32Array(n);
      const started = performance.now();
      let finalLoss = NaN;
      for (let epoch = 0; epoch < hp.epochs; epoch++) {
        const batches = epochBatches(log, hp.batchSize, windowBatches, rng, order, logQ);
        let lossSum = 0;
        let done = 0;
        for (const [start, end] of batches) {
          lossSum += trainer.step(order.subarray(start, end), examples, logQ);
          wuAdam.apply(step.dWu);
          wmAdam.apply(step.dWm);
          done++;
          if (done % 20 === 0) {
            options.onProgress?.(
              (epoch + done / batches.length) / hp.epochs,
              `epoch ${epoch + 1}/${hp.epochs}`,
            );
            await yieldToEventLoop();
          }
        }
        finalLoss = lossSum / Math.max(1, done);
      }
      const seconds = (performance.now() - started) / 1000;
      this.lastFit = {
        ...(Number.isFinite(halfLife) ? { halfLifeDays: Math.round((halfLife / DAY_MS) * 100) / 100 } : {}),
        negativeWindowBatches: windowBatches,
        examplesPerSecond: (n * hp.epochs) / Math.max(seconds, 1e-9),
        backend: step.backend,
        finalLoss,
      };
      options.onProgress?.(1, 'trained');
    } finally {
      step.dispose();
    }
    p.itemInputs = new Float32Array(train.numItems * hp.dim);
    for (let i = 0; i < train.numItems; i++)
      itemInput(p, p.itemTrained[i] ? i : -1, withContent ? content : undefined, i, p.itemInputs, i * hp.dim);
    this.bound = bindTo(p, train);
  }

  bind(train: TrainSet): void {
    this.bound = bindTo(this.parameters, train);
  }

  scoreUser(user: number, out: Float32Array): void {
    if (!this.bound) throw new Error('two-tower model is neither fitted nor bound');
    const { itemVectors, numItems } = this.bound;
    const d = this.hyperparameters.dim;
    gemmABt(this.bound.userVector(user), itemVectors, out, 0, 1, numItems, d);
  }

  async save(dir: string): Promise<void> {
    const { saveTwoTower } = await import('./artifact.js');
    await saveTwoTower(this.parameters, dir);
  }
}

/** What scoring a split needs: item vectors in that split's vocabulary and user inputs. */
interface Bound {
  numItems: number;
  itemVectors: Float32Array;
  userVector(user: number): Float32Array;
}

/**
 * Maps a split's vocabulary onto the model's (by id), computes every item's vector (id + content
 * for items seen in training, content alone otherwise) and serves user vectors from each user's
 * latest training rows.
 */
function bindTo(p: TwoTowerParameters, train: TrainSet): Bound {
  const d = p.hp.dim;
  const same = train.log.itemIds === p.itemIds && train.log.userIds === p.userIds;
  const itemIndex = same ? undefined : new Map(p.itemIds.map((id, i) => [id, i]));
  const userIndex = same ? undefined : new Map(p.userIds.map((id, i) => [id, i]));
  const itemMap = Int32Array.from(train.log.itemIds, (id, i) => (same ? i : (itemIndex!.get(id) ?? -1)));
  const userMap = Int32Array.from(train.log.userIds, (id, i) => (same ? i : (userIndex!.get(id) ?? -1)));
  // The split the model was fitted on has its item inputs already (fit computed them).
  const inputs = same ? p.itemInputs : splitItemInputs(p, train, itemMap);
  const itemVectors = new Float32Array(train.numItems * d);
  gemmABt(inputs, p.wm, itemVectors, 0, train.numItems, d, d);
  normaliseRows(itemVectors, train.numItems, d);
  const histories = new UserHistories(train.log, train.numUsers);
  const x = new Float32Array(2 * d);
  const out = new Float32Array(d);
  return {
    numItems: train.numItems,
    itemVectors,
    userVector(user) {
      x.fill(0);
      const known = userMap[user]!;
      if (known >= 0 && p.userTrained[known] === 1) x.set(p.users.weights.subarray(known * d, known * d + d));
      const rows = histories.latest(user, p.hp.historyLength);
      for (const r of rows) {
        const o = train.log.item[r]! * d;
        for (let k = 0; k < d; k++) x[d + k]! += inputs[o + k]! / rows.length;
      }
      gemmABt(x, p.wu, out, 0, 1, d, 2 * d);
      normaliseRows(out, 1, d);
      return out;
    },
  };
}

/** Item inputs for another split's vocabulary: learned ones for trained items, content for the rest. */
function splitItemInputs(p: TwoTowerParameters, train: TrainSet, itemMap: Int32Array): Float32Array {
  const d = p.hp.dim;
  const content = p.withContent
    ? hashContent(train.content, train.numItems, p.hp.contentBuckets, p.hp.maxContentTokens)
    : undefined;
  const inputs = new Float32Array(train.numItems * d);
  for (let i = 0; i < train.numItems; i++) {
    const known = itemMap[i]! >= 0 && p.itemTrained[itemMap[i]!] === 1 ? itemMap[i]! : -1;
    itemInput(p, known, content, i, inputs, i * d);
  }
  return inputs;
}

/** Writes an item's tower input: id embedding (when `row` ≥ 0) + mean content embedding. */
export function itemInput(
  p: TwoTowerParameters,
  row: number,
  content: HashedContent | undefined,
  item: number,
  out: Float32Array,
  o: number,
): void {
  const d = p.hp.dim;
  out.fill(0, o, o + d);
  if (row >= 0) for (let k = 0; k < d; k++) out[o + k] = p.items.weights[row * d + k]!;
  if (content)
    addMeanRows(
      p.content.weights,
      d,
      content.ids,
      content.offsets[item]!,
      content.offsets[item + 1]!,
      out,
      o,
    );
}

/**
 * Assembles one batch (gathering table rows into the dense step's inputs), runs the dense step,
 * then scatters the input gradients back into the tables and applies row-wise Adagrad.
 */
class BatchTrainer {
  /** Items this batch needs (positives and history), each computed once per step. */
  private readonly slotOf: Int32Array;
  private slotItems: Int32Array;
  private slotKeep: Uint8Array;
  private slotInput: Float32Array;
  private slotGrad: Float32Array;
  private readonly userKeep: Uint8Array;
  private readonly d: number;

  constructor(
    private readonly p: TwoTowerParameters,
    private readonly content: HashedContent,
    private readonly histories: UserHistories,
    private readonly dense: DenseStep,
    private readonly rng: Rng,
  ) {
    const b = p.hp.batchSize;
    const d = (this.d = p.hp.dim);
    this.slotOf = new Int32Array(p.itemIds.length).fill(-1);
    const slots = b * (1 + p.hp.historyLength);
    this.slotItems = new Int32Array(slots);
    this.slotKeep = new Uint8Array(slots);
    this.slotInput = new Float32Array(slots * d);
    this.slotGrad = new Float32Array(slots * d);
    this.userKeep = new Uint8Array(b);
  }

  /** `logQ` is indexed by training row (empty: no correction). */
  step(rows: Int32Array, weights: Float32Array, logQ: Float32Array): number {
    const { p, d, histories, rng } = this;
    const { batch } = this.dense;
    const log = histories.log;
    const H = p.hp.historyLength;
    // Content-free models (external CSVs) cannot drop the id: it is the whole item input.
    const itemDrop = p.withContent ? p.hp.itemIdDropout : 0;
    let slots = 0;
    const slotFor = (item: number): number => {
      let s = this.slotOf[item]!;
      if (s < 0) {
        s = slots++;
        this.slotOf[item] = s;
        this.slotItems[s] = item;
        const keep = rng.next() >= itemDrop;
        this.slotKeep[s] = keep ? 1 : 0;
        itemInput(p, keep ? item : -1, p.withContent ? this.content : undefined, item, this.slotInput, s * d);
        this.slotGrad.fill(0, s * d, (s + 1) * d);
      }
      return s;
    };

    batch.size = rows.length;
    batch.xu.fill(0, 0, rows.length * 2 * d);
    for (let b = 0; b < rows.length; b++) {
      const r = rows[b]!;
      const item = log.item[r]!;
      batch.item[b] = item;
      batch.logQ[b] = logQ.length ? logQ[r]! : 0;
      batch.weight[b] = weights[r]!;
      batch.xm.set(this.slotInput.subarray(slotFor(item) * d, slotFor(item) * d + d), b * d);
      const user = log.user[r]!;
      const keepUser = rng.next() >= p.hp.userIdDropout;
      this.userKeep[b] = keepUser ? 1 : 0;
      const xo = b * 2 * d;
      if (keepUser) batch.xu.set(p.users.weights.subarray(user * d, user * d + d), xo);
      const history = histories.before(r, H);
      for (const h of history) {
        const so = slotFor(log.item[h]!) * d;
        for (let k = 0; k < d; k++) batch.xu[xo + d + k]! += this.slotInput[so + k]! / history.length;
      }
    }

    const loss = this.dense.run(p);

    // Scatter: positives and history items collect their input gradient per slot.
    const { dXu, dXm } = this.dense;
    for (let b = 0; b < rows.length; b++) {
      const r = rows[b]!;
      const so = this.slotOf[log.item[r]!]! * d;
      for (let k = 0; k < d; k++) this.slotGrad[so + k]! += dXm[b * d + k]!;
      if (this.userKeep[b]) p.users.accumulate(log.user[r]!, dXu, b * 2 * d, 1);
      const history = histories.before(r, H);
      for (const h of history) {
        const ho = this.slotOf[log.item[h]!]! * d;
        for (let k = 0; k < d; k++) this.slotGrad[ho + k]! += dXu[b * 2 * d + d + k]! / history.length;
      }
    }
    for (let s = 0; s < slots; s++) {
      const item = this.slotItems[s]!;
      this.slotOf[item] = -1;
      if (this.slotKeep[s]) p.items.accumulate(item, this.slotGrad, s * d, 1);
      if (!p.withContent) continue;
      const from = this.content.offsets[item]!;
      const to = this.content.offsets[item + 1]!;
      for (let t = from; t < to; t++)
        p.content.accumulate(this.content.ids[t]!, this.slotGrad, s * d, 1 / (to - from));
    }
    const lr = p.hp.embeddingLearningRate;
    p.users.applyAdagrad(lr);
    p.items.applyAdagrad(lr);
    p.content.applyAdagrad(lr);
    return loss;
  }
}

/**
 * The half-life training decays examples with: `configured`, or the shortest longer one whose
 * decayed examples keep `minShare` of the log's weight (hyperparameters.ts minDecayedShare). The
 * kept share grows with the half-life, so a bisection finds it (to 0.01% of the bracket).
 */
export function trainingHalfLife(
  log: InteractionLog,
  cutoffMs: number,
  configured: number,
  minShare: number,
): number {
  if (minShare <= 0) return configured;
  const n = log.user.length;
  const age = new Float64Array(n);
  const weight = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    age[r] = Math.max(0, cutoffMs - log.ts[r]!);
    total += weight[r] = Math.max(log.weight[r]!, 0);
  }
  const enough = (halfLife: number) => {
    const rate = -Math.LN2 / halfLife;
    let kept = 0;
    for (let r = 0; r < n; r++) kept += weight[r]! * Math.exp(rate * age[r]!);
    return kept >= minShare * total;
  };
  if (enough(configured)) return configured;
  let lo = configured;
  let hi = 2 * configured;
  // Up to 2^20 times the configured (40,000 years for 14 days): past that, float weights are all 1.
  while (!enough(hi) && hi < configured * 2 ** 20) hi *= 2;
  for (let i = 0; i < 14; i++) {
    const mid = (lo + hi) / 2;
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Which content buckets some item's tokens hash to. */
function usedBuckets(content: HashedContent, buckets: number): Uint8Array {
  const used = new Uint8Array(buckets);
  for (const id of content.ids) used[id] = 1;
  return used;
}

/** Example weight: the interaction's weight, halved for every half-life before the cut. */
function exampleWeights(log: InteractionLog, cutoffMs: number, halfLife: number): Float32Array {
  const out = new Float32Array(log.user.length);
  for (let r = 0; r < out.length; r++) {
    const age = Math.max(0, cutoffMs - log.ts[r]!);
    out[r] = Math.max(log.weight[r]!, 0) * Math.pow(0.5, age / halfLife);
  }
  return out;
}

/**
 * One epoch's batches as [start, end) ranges of `order`, which it fills, and each row's log Q. With
 * `windowBatches` > 0 the time-ordered rows are cut into windows of that many batches (the first
 * one shorter, by a random number of batches, so boundaries move between epochs), rows are shuffled within
 * their window and batches never straddle two: in-batch negatives are what users engaged with
 * around the same time. log Q is then each item's share of its window's rows, the probability the
 * window's batches draw it as a negative (with global batches, its share of all rows). Batch order
 * is shuffled across windows.
 */
export function epochBatches(
  log: InteractionLog,
  batchSize: number,
  windowBatches: number,
  rng: Rng,
  order: Int32Array,
  logQ: Float32Array,
): [number, number][] {
  const n = log.user.length;
  const window = windowBatches > 0 ? windowBatches * batchSize : n;
  // Whole batches per window (the first one shorter), so only the epoch's last batch is partial.
  const first =
    windowBatches > 0 && n > window ? batchSize * (1 + rng.int(windowBatches)) : Math.min(window, n);
  const bounds: number[] = [0];
  for (let end = first; end < n; end += window) bounds.push(end);
  bounds.push(n);
  const batches: [number, number][] = [];
  const count = new Map<number, number>();
  for (let w = 0; w + 1 < bounds.length; w++) {
    const from = bounds[w]!;
    const to = bounds[w + 1]!;
    for (let r = from; r < to; r++) order[r] = r;
    shuffle(order.subarray(from, to), rng);
    for (let start = from; start < to; start += batchSize) {
      // A softmax over one example has no negatives.
      if (Math.min(to, start + batchSize) - start >= 2)
        batches.push([start, Math.min(to, start + batchSize)]);
    }
    if (!logQ.length) continue;
    count.clear();
    for (let r = from; r < to; r++) count.set(log.item[r]!, (count.get(log.item[r]!) ?? 0) + 1);
    for (let r = from; r < to; r++) logQ[r] = Math.log(count.get(log.item[r]!)! / (to - from));
  }
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

function glorot(rng: Rng, rows: number, cols: number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * limit);
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
