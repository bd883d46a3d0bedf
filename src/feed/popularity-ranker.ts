import type { CatalogMarket, CatalogSnapshot } from './catalog.js';
import { catalogArrays } from './catalog-arrays.js';
import { scanAndSelect } from './candidate-scan.js';
import type { UserContext } from './user-context.js';

const HOUR_MS = 3_600_000;

/** The popularity ranker's knobs: a named, versioned configuration. */
export interface PopularityRankerConfig {
  kind?: 'popularity';
  name: string;
  version: number;
  weights: {
    popularity: number;
    trend: number;
    freshness: number;
    categoryAffinity: number;
    seriesAffinity: number;
  };
  /** Markets younger than this get the freshness bonus and a "New market" reason. */
  freshWithinMs: number;
  categoryPenalty: number;
  diversityWindow: number;
  /** Length of the ranked list a feed snapshot holds. */
  maxItems: number;
}

export const POPULARITY_RANKER: PopularityRankerConfig = {
  name: 'popularity',
  version: 1,
  weights: { popularity: 1, trend: 0.5, freshness: 0.3, categoryAffinity: 2, seriesAffinity: 1 },
  freshWithinMs: 24 * HOUR_MS,
  categoryPenalty: 0.35,
  diversityWindow: 5,
  maxItems: 200,
};

export interface RankRequest {
  now: Date;
  /** Lower-cased categories to keep; empty keeps all. */
  categories: string[];
  /** Markets must close after this. */
  minCloseTime: Date;
  maxPerEvent: number;
}

export interface RankedItem {
  ticker: string;
  eventTicker: string;
  title: string;
  category: string;
  categoryKey: string;
  score: number;
  reasons: string[];
}

/** Whether a market may appear in this user's feed now: open long enough yet, not dismissed, in the filter. */
export function eligible(
  m: CatalogMarket,
  user: UserContext,
  req: Pick<RankRequest, 'categories' | 'minCloseTime'>,
): boolean {
  return (
    m.closeTime > req.minCloseTime &&
    !user.dismissed.has(m.ticker) &&
    (req.categories.length === 0 || req.categories.includes(m.categoryKey))
  );
}

/**
 * Popular and trending open markets, tilted toward the categories and series the user engages
 * with (a cold-start user gets the untilted, category-diversified list).
 */
export function rankPopularity(
  catalog: CatalogSnapshot,
  user: UserContext,
  req: RankRequest,
  config: PopularityRankerConfig = POPULARITY_RANKER,
): RankedItem[] {
  const w = config.weights;
  // Per-request affinity by category and series row: the scan then reads arrays only.
  const a = catalogArrays(catalog);
  const categoryShare = Float32Array.from(a.categoryKeys, (k) => user.categoryAffinity.get(k) ?? 0);
  const seriesShare = Float32Array.from(a.seriesKeys, (k) => user.seriesAffinity.get(k) ?? 0);
  const selected = scanAndSelect(
    catalog,
    req,
    config,
    (i) =>
      w.categoryAffinity * categoryShare[a.category[i]!]! +
      (a.series[i]! >= 0 ? w.seriesAffinity * seriesShare[a.series[i]!]! : 0),
    user.dismissed,
  );
  return selected.map(({ index, fresh, ...item }) => {
    const m = catalog.markets[index]!;
    const reasons: string[] = [];
    if (a.series[index]! >= 0 && seriesShare[a.series[index]!]! >= 0.1)
      reasons.push('From a series you follow');
    else if (categoryShare[a.category[index]!]! >= 0.15) reasons.push(`Because you follow ${m.category}`);
    return { ...item, reasons: [...reasons, ...marketReasons(m, fresh, req.now, reasons.length)] };
  });
}

/**
 * Reasons about the market itself (trending, new, closing soon), after `personal` reasons a ranker
 * already gave; "Popular in …" when there is nothing else to say.
 */
export function marketReasons(m: CatalogMarket, fresh: boolean, now: Date, personal: number): string[] {
  const reasons: string[] = [];
  if (m.trendingInCategory) reasons.push(`Trending in ${m.category}`);
  if (fresh) reasons.push('New market');
  const hoursLeft = (m.closeTime.getTime() - now.getTime()) / HOUR_MS;
  if (hoursLeft < 24) reasons.push(`Closes in ${Math.max(1, Math.round(hoursLeft))}h`);
  if (reasons.length === 0 && personal === 0) reasons.push(`Popular in ${m.category}`);
  return reasons;
}
