import type { InteractionType } from './schemas.js';

/**
 * How much each interaction says about interest, shared by request-time personalization and the
 * feature pipelines. Impressions alone say nothing; dismissals and unwatches count against.
 */
export const INTERACTION_WEIGHTS: Record<InteractionType, number> = {
  impression: 0,
  view: 1,
  click: 2,
  watch: 3,
  unwatch: -1,
  trade: 5,
  dismiss: -2,
};

export const DEFAULT_HALF_LIFE_MS = 7 * 86_400_000;
