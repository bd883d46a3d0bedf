/**
 * The feed's port for ranker assignment: experiments (src/experiments) implement it, the feed only
 * asks. Which ranker serves a user, and the experiment (if any) that decided it.
 */
export interface RankerChoice {
  ranker: string;
  experiment: { key: string; variation: string } | null;
}

/**
 * Chooses a user's ranker (GrowthBook in production; anything deterministic in tests). Exposures
 * are the assigner's business: GrowthBook reports them through its tracking callback.
 */
export interface RankerAssignment {
  assign(userId: string, attributes: Record<string, unknown>): RankerChoice | Promise<RankerChoice>;
}
