import { RankerConfigSchema, type RankerConfig, type RankerDefinition } from './ranker-config.js';
import { HOUR_MS } from '../../util/durations.js';

/**
 * A model-based ranker's candidates and its blend before a retrain learns one: the two-tower's
 * since version 3, shared by every kind's ranker so that arms differ by their model only. They are
 * also where a retrain's blend fit starts and what it keeps when the validation cannot tell a better
 * blend beyond doubt (blend-fit.ts), which is most logs of a few dozen users.
 */
const MODEL_SOURCES = {
  embedding: 200,
  neighbours: 100,
  affinity: 100,
  siblings: 40,
  trending: 60,
  popular: 60,
  fresh: 40,
};
const MODEL_WEIGHTS = {
  model: 3,
  popularity: 0.35,
  /**
   * Recency-weighted popularity: the prior that what many engaged with lately is engaged with next,
   * the strongest baseline of temporal splits. On 24 small simulated logs these weights, served as
   * they are, ranked the test period at mean nDCG@10 0.077 without it and 0.092 / 0.094 / 0.090
   * with 1 / 2 / 3 (popularity-recency alone 0.084). At 2, recent popularity outweighed a new
   * user's first trades on one of five exchanges (two-tower-feed.test.ts).
   */
  recency: 1,
  trend: 0.2,
  freshness: 0.1,
  closingSoon: 0.1,
  neighbours: 0.5,
  siblings: 0.4,
};

/** The popularity family's candidates: enough of each list that diversity never runs dry. */
const POPULAR_SOURCES = { popular: 300, affinity: 200, trending: 100, fresh: 50, siblings: 30 };

/**
 * Every ranker a feed can be served by, by name: the one place rankers are defined and what
 * experiments choose between. A ranker is a named, versioned configuration of one pipeline
 * (candidate sources with quotas → filters → score blend → diversity → reasons, rank-feed.ts);
 * change a ranker's behaviour and bump its version, so results by version stay comparable.
 */
const DEFINITIONS: RankerDefinition[] = [
  {
    name: 'popularity',
    version: 4,
    sources: POPULAR_SOURCES,
    weights: {
      popularity: 1,
      trend: 0.5,
      freshness: 0.3,
      closingSoon: 0.1,
      categoryAffinity: 2,
      seriesAffinity: 1,
      siblings: 0.3,
    },
  },
  {
    /** Leans on momentum and novelty, with a lighter personal tilt. */
    name: 'trending',
    version: 4,
    sources: { ...POPULAR_SOURCES, trending: 300, fresh: 100 },
    weights: {
      popularity: 0.5,
      trend: 1.5,
      freshness: 0.6,
      closingSoon: 0.2,
      categoryAffinity: 1,
      seriesAffinity: 0.5,
    },
    freshWithinMs: 12 * HOUR_MS,
  },
  {
    /**
     * The category-affinity baseline as a feed: the most popular markets of the categories and
     * series the user engages with, by share, so experiments can pit the model against it.
     */
    name: 'category-affinity',
    version: 3,
    sources: { affinity: 300, popular: 100, siblings: 30, fresh: 30 },
    weights: { categoryAffinity: 3, seriesAffinity: 1, popularity: 0.2, recency: 0.2 },
  },
  {
    /** The same list for everyone: the baseline that shows what personalization adds. */
    name: 'popularity-global',
    version: 4,
    sources: { popular: 300, trending: 100, fresh: 50 },
    weights: { popularity: 1, trend: 0.5, freshness: 0.3, closingSoon: 0.1 },
  },
  {
    /**
     * The active two-tower model's affinity (user id + latest markets against market id + content),
     * with co-interaction neighbours, the user's categories and their open positions' siblings,
     * blended with popularity; category affinity ranks while no model is active (the strongest
     * model-free feed: what the gate keeps serving when no candidate beats it). These weights serve a
     * model without a learned blend; each retrain learns its own (src/feed/offline/blend-fit.ts).
     */
    name: 'two-tower',
    version: 6,
    model: 'two-tower',
    fallback: 'category-affinity',
    sources: MODEL_SOURCES,
    weights: MODEL_WEIGHTS,
  },
  {
    /**
     * The active EASE model's scores (its item–item weights summed over the user's markets) in the
     * two-tower's pipeline: same sources and weights, its own learned blend per retrain. Served to
     * the experiment arms that name it; category affinity while no EASE model is active.
     */
    name: 'ease',
    version: 4,
    model: 'ease',
    fallback: 'category-affinity',
    sources: MODEL_SOURCES,
    weights: MODEL_WEIGHTS,
  },
  {
    /** The active BPR-MF model's scores in the same pipeline, as `ease`. */
    name: 'bpr-mf',
    version: 4,
    model: 'bpr-mf',
    fallback: 'category-affinity',
    sources: MODEL_SOURCES,
    weights: MODEL_WEIGHTS,
  },
];

export const RANKERS: ReadonlyMap<string, RankerConfig> = new Map(
  DEFINITIONS.map((d) => {
    const config = RankerConfigSchema.parse(d);
    return [config.name, config];
  }),
);

for (const config of RANKERS.values()) {
  if (config.fallback === undefined) continue;
  const fallback = RANKERS.get(config.fallback);
  if (!fallback || fallback.model)
    throw new Error(`ranker ${config.name}: fallback "${config.fallback}" must be a ranker without a model`);
}

/** Falls back to category affinity (and says so in the response) while no model is active. */
export const DEFAULT_RANKER = 'two-tower';

/**
 * The model kinds the served rankers rank with, the default ranker's first: the kinds a replica
 * keeps a model of, and the nightly chain trains.
 */
export function servedKinds(): string[] {
  const kinds = [...RANKERS.values()].flatMap((c) => (c.model ? [c.model] : []));
  const first = RANKERS.get(DEFAULT_RANKER)?.model;
  return [...new Set(first ? [first, ...kinds] : kinds)];
}

/** The default ranker's model kind: the model similar markets compare markets by. */
export const DEFAULT_MODEL_KIND = RANKERS.get(DEFAULT_RANKER)!.model!;

/**
 * The served ranker a model of `kind` is judged through (what users would see with it): the
 * default ranker for its kind, else the first ranker ranking with that kind; none for a kind no
 * ranker serves.
 */
export function rankerOfKind(kind: string): string | undefined {
  if (DEFAULT_MODEL_KIND === kind) return DEFAULT_RANKER;
  return [...RANKERS.values()].find((c) => c.model === kind)?.name;
}

/**
 * Whether `kind` is served to experiment arms only (a ranker uses it, the default ranker does not):
 * EASE and BPR-MF. Their candidates are judged by the experiment rule (models/registry/gate.ts).
 */
export function servesExperimentsOnly(kind: string): boolean {
  return kind !== DEFAULT_MODEL_KIND && servedKinds().includes(kind);
}

export function rankerNames(): string[] {
  return [...RANKERS.keys()];
}

export function getRanker(name: string): RankerConfig | undefined {
  return RANKERS.get(name);
}
