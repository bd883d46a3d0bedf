import type { ServedMarket, ServingModel } from '../core/types.js';
import { IdIndex } from '../core/id-index.js';
import { centreAndScale } from '../core/score-space.js';
import type { EaseParameters } from './parameters.js';

/**
 * EASE as the feed serves it, exactly: a market's vector is one-hot on its row of B (zero for a
 * market outside the modelled set; the feed keeps the coordinate, `marketSlots`), and a user's vector is their history's row sum x_u · B over
 * the modelled markets, so user · market is the user's EASE score of that market (centred and
 * scaled: VectorSpace `score`). There is no per-user state: a brand-new user is placed by their
 * first interactions, and anyone's latest interaction moves their next feed.
 */
export class EaseServing implements ServingModel {
  readonly space = 'score';
  readonly dim: number;
  blends?: ServingModel['blends'];

  private constructor(
    readonly version: string,
    private readonly p: EaseParameters,
    private readonly slots: IdIndex,
  ) {
    this.dim = p.itemIds.length;
  }

  static async create(version: string, p: EaseParameters, pause: () => Promise<void>): Promise<EaseServing> {
    return new EaseServing(version, p, await IdIndex.build(p.itemIds, pause));
  }

  knowsUser(): boolean {
    return false;
  }

  marketVectors(markets: readonly ServedMarket[]): Float32Array {
    const n = this.dim;
    const out = new Float32Array(markets.length * n);
    this.marketSlots(markets).forEach((s, i) => {
      if (s >= 0) out[i * n + s] = 1;
    });
    return out;
  }

  /** The one-hot vectors as coordinates: what the feed keeps per catalogue (a gather per user). */
  marketSlots(markets: readonly ServedMarket[]): Int32Array {
    return Int32Array.from(markets, (m) => this.slots.get(m.ticker) ?? -1);
  }

  userVector(_userId: string, history: readonly ServedMarket[]): Float32Array | undefined {
    const n = this.dim;
    const { weights } = this.p;
    const scores = new Float32Array(n);
    const seen = new Set<number>();
    for (const m of history) {
      const s = this.slots.get(m.ticker);
      if (s === undefined || seen.has(s)) continue;
      seen.add(s);
      const row = s * n;
      for (let t = 0; t < n; t++) scores[t]! += weights[row + t]!;
    }
    if (seen.size === 0) return undefined;
    return centreAndScale(scores);
  }
}
