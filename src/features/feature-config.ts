import { DEFAULT_HALF_LIFE_MS, INTERACTION_WEIGHTS } from '../domain/interaction-weights.js';
import type { InteractionType } from '../domain/schemas.js';
import { DAY_MS } from '../util/durations.js';

/** Knobs of the feature pipelines. */
export interface FeatureConfig {
  /** Strength contributed by one interaction of each type. @defaultValue INTERACTION_WEIGHTS */
  weights: Record<InteractionType, number>;
  /** Strength halves over this period. @defaultValue 7 days */
  halfLifeMs: number;
  /** Markets kept in `user_features.recentMarkets`. @defaultValue 20 */
  recentMarkets: number;
  /** Window of the market activity features (the longer of 24h/7d). @defaultValue 7 days */
  marketWindowMs: number;
  neighbours: {
    /** Only a user's strongest this-many markets count toward co-interaction (bounds pairs per user). @defaultValue 20 */
    perUser: number;
    /** Only interactions this recent count. @defaultValue 30 days */
    lookbackMs: number;
    /** Neighbours kept per market. @defaultValue 20 */
    topN: number;
    /** Fewer co-interacting users than this is noise. @defaultValue 2 */
    minCoUsers: number;
  };
  /**
   * Interactions received in the last this-many ms are left for the next run: a write that started
   * before the refresh may commit after it read. @defaultValue 5000
   */
  settleMs: number;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  weights: INTERACTION_WEIGHTS,
  halfLifeMs: DEFAULT_HALF_LIFE_MS,
  recentMarkets: 20,
  marketWindowMs: 7 * DAY_MS,
  neighbours: { perUser: 20, lookbackMs: 30 * DAY_MS, topN: 20, minCoUsers: 2 },
  settleMs: 5_000,
};
