import type { ServedMarket, ServingModel } from '../core/types.js';
import { IdIndex } from '../core/id-index.js';
import { scoreScale } from '../core/score-space.js';
import { VectorIndex } from '../vector-search/vector-index.js';
import { meanRows } from './model.js';
import type { BprParameters } from './parameters.js';

/**
 * BPR-MF as the feed serves it, exactly: a trained market's vector is (q_i, b_i, 1), a market the
 * model never saw is the zero vector; a user's vector is (f, 1, −mean) / scale, where f is their
 * learned factors when they were trained (both zero-padded to a multiple of 4 coordinates), else the mean of their history markets' factors (so a
 * brand-new user is placed by their first interactions). user · market is then the BPR score
 * b_i + f · q_i, centred on the user's mean over the trained markets and scaled into [−1, 1]
 * (VectorSpace `score`).
 */
export class BprServing implements ServingModel {
  readonly space = 'score';
  readonly dim: number;
  blends?: ServingModel['blends'];
  private readonly d: number;
  /** The trained markets' factors, scanned (SIMD) to place a user on the score scale. */
  private readonly factorIndex: VectorIndex;

  private constructor(
    readonly version: string,
    private readonly p: BprParameters,
    private readonly users: IdIndex,
    private readonly items: IdIndex,
  ) {
    this.d = p.hp.dim;
    // (q, b, 1), zero-padded to a multiple of 4: the catalogue scan's SIMD kernel needs it.
    this.dim = Math.ceil((this.d + 2) / 4) * 4;
    this.factorIndex = new VectorIndex(p.b.length, this.d);
    this.factorIndex.vectors.set(p.q);
  }

  static async create(version: string, p: BprParameters, pause: () => Promise<void>): Promise<BprServing> {
    return new BprServing(
      version,
      p,
      await IdIndex.build(p.userIds, pause),
      await IdIndex.build(p.itemIds, pause),
    );
  }

  knowsUser(userId: string): boolean {
    return this.users.get(userId) !== undefined;
  }

  marketVectors(markets: readonly ServedMarket[]): Float32Array {
    const { d, dim } = this;
    const out = new Float32Array(markets.length * dim);
    markets.forEach((m, i) => {
      const r = this.items.get(m.ticker);
      if (r === undefined) return;
      out.set(this.p.q.subarray(r * d, r * d + d), i * dim);
      out[i * dim + d] = this.p.b[r]!;
      out[i * dim + d + 1] = 1;
    });
    return out;
  }

  userVector(userId: string, history: readonly ServedMarket[]): Float32Array | undefined {
    const factors = this.factors(userId, history);
    if (!factors) return undefined;
    const { d, dim } = this;
    const { b } = this.p;
    // The index's scratch, used up before anything else scans it (serving is synchronous).
    const scores = this.factorIndex.scores(factors);
    for (let r = 0; r < b.length; r++) scores[r]! += b[r]!;
    const s = scoreScale(scores);
    if (!s) return undefined;
    const out = new Float32Array(dim);
    for (let f = 0; f < d; f++) out[f] = factors[f]! / s.scale;
    out[d] = 1 / s.scale;
    out[d + 1] = -s.mean / s.scale;
    return out;
  }

  private factors(userId: string, history: readonly ServedMarket[]): Float32Array | undefined {
    const d = this.d;
    const u = this.users.get(userId);
    if (u !== undefined) return this.p.p.subarray(u * d, u * d + d);
    const rows = new Set<number>();
    for (const m of history) {
      const r = this.items.get(m.ticker);
      if (r !== undefined) rows.add(r);
    }
    return rows.size ? meanRows(this.p.q, d, [...rows]) : undefined;
  }
}
