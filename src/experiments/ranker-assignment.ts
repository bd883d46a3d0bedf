import type { Exposure } from './exposure-log.js';

/** Which ranker serves a user, and the experiment (if any) that decided it. */
export interface RankerChoice {
  ranker: string;
  experiment: { key: string; variation: string } | null;
  /** Present when the user is in an experiment: what to log as their exposure. */
  exposure?: Exposure;
}

/** Chooses a user's ranker (GrowthBook in production; anything deterministic in tests). */
export interface RankerAssignment {
  assign(userId: string, attributes: Record<string, unknown>): RankerChoice;
}
