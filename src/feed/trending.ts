import { catalogueArrays } from './catalogue/catalogue-arrays.js';
import type { CatalogueSnapshot } from './catalogue/market-catalogue.js';
import { cardOf } from './market-card.js';
import { eligibilityMask } from './pipeline/filters.js';
import { topK } from '../../models/vector-search/top-k.js';

/** Trend + popularity of every open market, per catalogue snapshot (z-scores, both). */
const trendingScores = new WeakMap<CatalogueSnapshot, Float32Array>();

/**
 * The catalogue's trending open markets (standardized trend plus popularity), optionally within
 * categories (any case): a top-k over the snapshot's arrays, not a sort of every market.
 */
export function trendingMarkets(catalogue: CatalogueSnapshot, categories: string[], limit: number) {
  const a = catalogueArrays(catalogue);
  let scores = trendingScores.get(catalogue);
  if (!scores) {
    scores = Float32Array.from(a.trend, (t, i) => t + a.popularity[i]!);
    trendingScores.set(catalogue, scores);
  }
  // The feed's own filter: every market of the snapshot closes after it was loaded.
  const mask = eligibilityMask(a, [], {
    categories: categories.map((c) => c.toLowerCase()),
    minCloseTime: catalogue.loadedAt,
  });
  return Array.from(topK(scores, limit, mask), (i) => {
    const m = catalogue.markets[i]!;
    return { ...cardOf(m), score: Math.round(scores[i]! * 1e4) / 1e4 };
  });
}
