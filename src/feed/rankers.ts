import { POPULARITY_RANKER, type PopularityRankerConfig } from './popularity-ranker.js';
import { TWO_TOWER_RANKER, type TwoTowerRankerConfig } from './two-tower-ranker.js';

export type RankerConfig = PopularityRankerConfig | TwoTowerRankerConfig;

const HOUR_MS = 3_600_000;

/**
 * Every ranker a feed can be served by, by name: the one place rankers are defined, and what
 * experiments choose between. A ranker is a named, versioned configuration of the pipeline.
 */
export const RANKERS: Record<string, RankerConfig> = {
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
  /** The active two-tower model blended with popularity; popularity serves while no model is active. */
  'two-tower': TWO_TOWER_RANKER,
};

/** Falls back to popularity (and says so in the response) while no model is active. */
export const DEFAULT_RANKER = 'two-tower';

export function rankerNames(): string[] {
  return Object.keys(RANKERS);
}

export function getRanker(name: string): RankerConfig | undefined {
  return Object.hasOwn(RANKERS, name) ? RANKERS[name] : undefined;
}
