import type { CatalogSnapshot } from './catalog.js';
import { catalogArrays, type CatalogArrays } from './catalog-arrays.js';
import { diversify } from './diversify.js';
import type { CatalogMarket } from './catalog.js';
import type { RankedItem, RankRequest } from './popularity-ranker.js';
import { topK } from './top-k.js';

/** What every ranker's scan shares: filters, the ranker-independent score terms, selection. */
export interface ScanConfig {
  weights: { popularity: number; trend: number; freshness: number };
  freshWithinMs: number;
  categoryPenalty: number;
  diversityWindow: number;
  maxItems: number;
}

export type Selected = RankedItem & { index: number; fresh: boolean };

/**
 * Scores every open market of the snapshot into one Float32Array: −∞ for markets closing before
 * the horizon, outside the category filter or in `excluded`; otherwise popularity, trend and
 * freshness plus `personal(i)` (the ranker's own term). Then keeps the best 2 × feed length by a
 * bounded heap (more only if diversity exhausts them), so no ranker builds or sorts an object per
 * open market. `adjust` may change scores (e.g. lifts) before selection.
 */
export function scanAndSelect(
  catalog: CatalogSnapshot,
  req: RankRequest,
  config: ScanConfig,
  personal: (i: number, a: CatalogArrays) => number,
  excluded: Iterable<string>,
  adjust?: (scores: Float32Array, a: CatalogArrays) => void,
): Selected[] {
  const a = catalogArrays(catalog);
  const n = catalog.markets.length;
  const w = config.weights;
  const scores = new Float32Array(n);
  const minClose = req.minCloseTime.getTime();
  const now = req.now.getTime();
  const wanted = req.categories.length > 0 ? new Set(req.categories) : undefined;
  for (let i = 0; i < n; i++) {
    if (a.closeMs[i]! <= minClose || (wanted && !wanted.has(a.categoryKeys[a.category[i]!]!))) {
      scores[i] = -Infinity;
      continue;
    }
    scores[i] =
      personal(i, a) +
      w.popularity * a.popularity[i]! +
      w.trend * a.trend[i]! +
      (now - a.openMs[i]! < config.freshWithinMs ? w.freshness : 0);
  }
  adjust?.(scores, a);
  for (const ticker of excluded) {
    const i = a.row.get(ticker);
    if (i !== undefined) scores[i] = -Infinity;
  }
  let selected: Selected[] = [];
  for (let pool = config.maxItems * 2; ; pool *= 4) {
    const top = topK(scores, pool);
    const items = Array.from(top, (index) =>
      Object.assign(rankedItem(catalog.markets[index]!, scores[index]!, []), {
        index,
        fresh: now - a.openMs[index]! < config.freshWithinMs,
      }),
    );
    selected = orderAndDiversify(items, req, config);
    if (selected.length >= config.maxItems || top.length < pool) return selected;
  }
}

/** A scored market as a feed item (scores rounded so responses stay readable and stable). */
export function rankedItem(m: CatalogMarket, score: number, reasons: string[]): RankedItem {
  return {
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    title: m.title,
    category: m.category,
    categoryKey: m.categoryKey,
    score: Math.round(score * 1e4) / 1e4,
    reasons,
  };
}

/** Best first (ties by ticker), then the diversity re-ranking every ranker shares. */
export function orderAndDiversify<T extends RankedItem>(
  scored: T[],
  req: Pick<RankRequest, 'maxPerEvent'>,
  config: Pick<ScanConfig, 'categoryPenalty' | 'diversityWindow' | 'maxItems'>,
): T[] {
  scored.sort((a, b) => b.score - a.score || (a.ticker < b.ticker ? -1 : 1));
  return diversify(scored, {
    maxPerEvent: req.maxPerEvent,
    categoryPenalty: config.categoryPenalty,
    window: config.diversityWindow,
    limit: config.maxItems,
  });
}
