import { DEFAULT_HALF_LIFE_MS, INTERACTION_WEIGHTS } from '../domain/interaction-weights.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';

export interface UserContextOptions {
  /** Most recent interactions read per request. @defaultValue 500 */
  historyLimit: number;
  /** Older interactions count half as much per half-life. @defaultValue 7 days */
  halfLifeMs: number;
}

export const DEFAULT_USER_CONTEXT: UserContextOptions = {
  historyLimit: 500,
  halfLifeMs: DEFAULT_HALF_LIFE_MS,
};

/** What the ranker knows about a user at request time, read from their recent interactions. */
export interface UserContext {
  userId: string;
  /** Has any interaction at all: otherwise the feed is a cold-start one. */
  known: boolean;
  dismissed: Set<string>;
  /** Share of decayed positive interest per lower-cased category (sums to 1 when known). */
  categoryAffinity: Map<string, number>;
  seriesAffinity: Map<string, number>;
  /** Display name of each category key the user showed interest in. */
  categoryNames: Map<string, string>;
}

export async function loadUserContext(
  store: Store,
  userId: string,
  now: Date,
  options: UserContextOptions = DEFAULT_USER_CONTEXT,
): Promise<UserContext> {
  const history = await coll(store, 'interactions')
    .find(
      { userId },
      { sort: { ts: -1 }, limit: options.historyLimit, projection: { _id: 0, ticker: 1, type: 1, ts: 1 } },
    )
    .toArray();
  const context: UserContext = {
    userId,
    known: history.length > 0,
    dismissed: new Set(),
    categoryAffinity: new Map(),
    seriesAffinity: new Map(),
    categoryNames: new Map(),
  };
  if (history.length === 0) return context;

  // Most of a user's history is on markets that have since closed, so look them all up, not only open ones.
  const tickers = [...new Set(history.map((h) => h.ticker))];
  const markets = await coll(store, 'markets')
    .find({ ticker: { $in: tickers } }, { projection: { _id: 0, ticker: 1, category: 1, seriesTicker: 1 } })
    .toArray();
  const marketInfo = new Map(markets.map((m) => [m.ticker, m]));

  const category = new Map<string, number>();
  const series = new Map<string, number>();
  for (const { ticker, type, ts } of history) {
    if (type === 'dismiss') context.dismissed.add(ticker);
    const weight =
      INTERACTION_WEIGHTS[type] * 0.5 ** (Math.max(0, now.getTime() - ts.getTime()) / options.halfLifeMs);
    const info = marketInfo.get(ticker);
    if (!info || weight === 0) continue;
    if (info.category) {
      const key = info.category.toLowerCase();
      context.categoryNames.set(key, info.category);
      category.set(key, (category.get(key) ?? 0) + weight);
    }
    if (info.seriesTicker) series.set(info.seriesTicker, (series.get(info.seriesTicker) ?? 0) + weight);
  }
  context.categoryAffinity = toShares(category);
  context.seriesAffinity = toShares(series);
  return context;
}

/** Positive totals normalized to shares; net-negative interest counts as none. */
function toShares(totals: Map<string, number>): Map<string, number> {
  const positive = [...totals].filter(([, v]) => v > 0);
  const sum = positive.reduce((a, [, v]) => a + v, 0);
  return new Map(sum > 0 ? positive.map(([k, v]) => [k, v / sum]) : []);
}
