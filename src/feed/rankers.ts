import { POPULARITY_RANKER, type PopularityRankerConfig } from './popularity-ranker.js';

const HOUR_MS = 3_600_000;

/**
 * Every ranker a feed can be served by, by name: the one place rankers are defined, and what
 * experiments choose between. A ranker is a named, versioned configuration of the pipeline.
 */
export const RANKERS: Record<string, PopularityRankerConfig> = {
  popularity: POPULARITY_RANKER,
  /** Leans on momentum and novelty, with a lighter personal tilt. */
  trending: {
    ...POPULARITY_RANKER,
    name: 'trending',
    version: 1,
    weights: { popularity: 0.5, trend: 1.5, freshness: 0.6, categoryAffinity: 1, seriesAffinity: 0.5 },
    freshWithinMs: 12 * HOUR_MS,
  },
  /** The same list for everyone: the baseline that shows what personalization adds. */
  'popularity-global': {
    ...POPULARITY_RANKER,
    name: 'popularity-global',
    version: 1,
    weights: { ...POPULARITY_RANKER.weights, categoryAffinity: 0, seriesAffinity: 0 },
  },
};

export const DEFAULT_RANKER = 'popularity';

export function rankerNames(): string[] {
  return Object.keys(RANKERS);
}

export function getRanker(name: string): PopularityRankerConfig | undefined {
  return Object.hasOwn(RANKERS, name) ? RANKERS[name] : undefined;
}
