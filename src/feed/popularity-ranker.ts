import type { CatalogMarket, CatalogSnapshot } from './catalog.js';
import { diversify } from './diversify.js';
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
  const scored: RankedItem[] = [];
  for (const m of catalog.markets) {
    if (!eligible(m, user, req)) continue;
    const fresh = isFresh(m, req.now, config.freshWithinMs);
    const categoryShare = user.categoryAffinity.get(m.categoryKey) ?? 0;
    const seriesShare = m.seriesTicker ? (user.seriesAffinity.get(m.seriesTicker) ?? 0) : 0;
    const score =
      w.popularity * m.popularity +
      w.trend * m.trend +
      (fresh ? w.freshness : 0) +
      w.categoryAffinity * categoryShare +
      w.seriesAffinity * seriesShare;
    const reasons: string[] = [];
    if (seriesShare >= 0.1) reasons.push('From a series you follow');
    else if (categoryShare >= 0.15) reasons.push(`Because you follow ${m.category}`);
    scored.push(rankedItem(m, score, [...reasons, ...marketReasons(m, fresh, req.now, reasons.length)]));
  }
  return orderAndDiversify(scored, req, config);
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

export const isFresh = (m: CatalogMarket, now: Date, freshWithinMs: number): boolean =>
  m.openTime !== undefined && now.getTime() - m.openTime.getTime() < freshWithinMs;

/** Best first (ties by ticker), then the diversity re-ranking every ranker shares. */
export function orderAndDiversify<T extends RankedItem>(
  scored: T[],
  req: Pick<RankRequest, 'maxPerEvent'>,
  config: Pick<PopularityRankerConfig, 'categoryPenalty' | 'diversityWindow' | 'maxItems'>,
): T[] {
  scored.sort((a, b) => b.score - a.score || (a.ticker < b.ticker ? -1 : 1));
  return diversify(scored, {
    maxPerEvent: req.maxPerEvent,
    categoryPenalty: config.categoryPenalty,
    window: config.diversityWindow,
    limit: config.maxItems,
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
