import type { ItemContent, ServedMarket, ServingModel } from '../core/types.js';
import { addMeanRows, hashTokens } from './content-hash.js';
import { gemmABt } from '../kernels/gemm.js';
import { blockedGemmABt } from '../kernels/wasm/blocked-gemm.js';
import type { TwoTowerParameters } from './parameters.js';
import { normaliseRows } from './softmax-step.js';
import { IdIndex } from '../core/id-index.js';

export type { ServedMarket } from '../core/types.js';

/**
 * The two-tower model as the feed uses it: vectors for any market (learned id + content for
 * markets seen in training, content alone for new ones) and for any user from their id and
 * latest interactions, so what a user did a second ago moves their vector without a retrain.
 */
export class TwoTowerServing implements ServingModel {
  readonly dim: number;
  /** Both towers end in L2 normalisation: every vector is a unit vector. */
  readonly space = 'cosine';
  blends?: ServingModel['blends'];
  private readonly itemIndex: IdIndex;
  private readonly userIndex: IdIndex;

  constructor(
    readonly version: string,
    private readonly p: TwoTowerParameters,
    positions?: { items: IdIndex; users: IdIndex },
  ) {
    this.dim = p.hp.dim;
    this.itemIndex = positions?.items ?? IdIndex.of(p.itemIds);
    this.userIndex = positions?.users ?? IdIndex.of(p.userIds);
  }

  /**
   * As the constructor, with the id → row maps built in chunks and `pause` awaited between them:
   * for a model swap while requests are served (a million users' map is ~0.6 s of work).
   */
  static async create(
    version: string,
    p: TwoTowerParameters,
    pause: () => Promise<void>,
  ): Promise<TwoTowerServing> {
    return new TwoTowerServing(version, p, {
      items: await IdIndex.build(p.itemIds, pause),
      users: await IdIndex.build(p.userIds, pause),
    });
  }

  knowsUser(userId: string): boolean {
    const u = this.userIndex.get(userId);
    return u !== undefined && this.p.userTrained[u] === 1;
  }

  /** Tower input of a market: the learned one for trained markets, else from its content. */
  private itemInput(ticker: string, content: ItemContent | undefined, out: Float32Array, o: number): void {
    const d = this.dim;
    const i = this.itemIndex.get(ticker);
    if (i !== undefined && this.p.itemTrained[i] === 1) {
      out.set(this.p.itemInputs.subarray(i * d, i * d + d), o);
      return;
    }
    out.fill(0, o, o + d);
    if (!this.p.withContent) return;
    const buckets = hashTokens(content, this.p.hp.contentBuckets, this.p.hp.maxContentTokens);
    addMeanRows(this.p.content.weights, d, buckets, 0, buckets.length, out, o);
  }

  /** Unit vectors of `markets`, row i for markets[i], in one contiguous array. */
  marketVectors(markets: readonly ServedMarket[]): Float32Array {
    const d = this.dim;
    const inputs = new Float32Array(markets.length * d);
    markets.forEach((m, i) => this.itemInput(m.ticker, m.content, inputs, i * d));
    const out = new Float32Array(markets.length * d);
    blockedGemmABt(inputs, this.p.wm, out, markets.length, d, d);
    normaliseRows(out, markets.length, d);
    return out;
  }

  /**
   * The user's unit vector from their id (when seen in training) and their latest interactions,
   * newest first (only the first historyLength count, as in training).
   */
  userVector(userId: string, history: readonly ServedMarket[]): Float32Array {
    const d = this.dim;
    const x = new Float32Array(2 * d);
    const u = this.userIndex.get(userId);
    if (u !== undefined && this.p.userTrained[u] === 1)
      x.set(this.p.users.weights.subarray(u * d, u * d + d));
    const recent = history.slice(0, this.p.hp.historyLength);
    const input = new Float32Array(d);
    for (const m of recent) {
      this.itemInput(m.ticker, m.content, input, 0);
      for (let k = 0; k < d; k++) x[d + k]! += input[k]! / recent.length;
    }
    const out = new Float32Array(d);
    gemmABt(x, this.p.wu, out, 0, 1, d, 2 * d);
    normaliseRows(out, 1, d);
    return out;
  }
}
