import { catalogArrays } from './catalog-arrays.js';
import type { CatalogSnapshot } from './catalog.js';
import { eligibilityMask } from './filters.js';
import { topK } from './top-k.js';

/** Trend + popularity of every open market, per catalogue snapshot (z-scores, both). */
const trendingScores = new WeakMap<CatalogSnapshot, Float32Array>();

/**
 * The catalogue's trending open markets (standardized trend plus popularity), optionally within
 * categories (any case): a top-k over the snapshot's arrays, not a sort of every market.
 */
export function trendingMarkets(catalog: CatalogSnapshot, categories: string[], limit: number) {
  const a = catalogArrays(catalog);
  let scores = trendingScores.get(catalog);
  if (!scores) {
    scores = Float32Array.from(a.trend, (t, i) => t + a.popularity[i]!);
    trendingScores.set(catalog, scores);
  }
  // The feed's own filter: every market of the snapshot closes after it was loaded.
  const mask = eligibilityMask(a, [], {
    categories: categories.map((c) => c.toLowerCase()),
    minCloseTime: catalog.loadedAt,
  });
  return Array.from(topK(scores, limit, mask), (i) => {
    const m = catalog.markets[i]!;
    return {
      ticker: m.ticker,
      eventTicker: m.eventTicker,
      title: m.title,
      category: m.category,
      score: Math.round(scores[i]! * 1e4) / 1e4,
      volume24h: m.volume24h,
    };
  });
}
