import type { Recommender } from '../core/types.js';
import { BprMfRecommender } from '../bpr-mf/model.js';
import { CategoryAffinityRecommender } from '../baselines/category-affinity.js';
import { EaseRecommender } from '../ease/model.js';
import { ItemKnnRecommender } from '../baselines/item-knn.js';
import { PopularityRecommender } from '../baselines/popularity.js';
import { TrendingRecommender } from '../baselines/trending.js';
import { TwoTowerModel } from '../two-tower/model.js';

/** A recommender `sibyl eval` (and the nightly evaluation) can train and evaluate by name. */
export interface RecommenderEntry {
  /** Equal to the created recommender's `name`. */
  name: string;
  description: string;
  /**
   * A baseline every candidate of the default kind must beat (the two-tower is not one; EASE and
   * BPR-MF are, and are registry kinds too, served by their own rankers).
   */
  baseline: boolean;
  create(): Recommender;
}

/**
 * Every evaluable recommender, in report order. Add a model here (one entry) and it is trained and
 * evaluated by `sibyl eval` by default and selectable with `--recommenders`.
 */
export const RECOMMENDER_LIST: readonly RecommenderEntry[] = [
  {
    name: 'popularity',
    baseline: true,
    description: 'weighted interaction count per item',
    create: () => new PopularityRecommender({ halfLifeMs: Infinity }),
  },
  {
    name: 'popularity-recency',
    baseline: true,
    description: 'popularity with a 7-day half-life towards the cut',
    create: () => new PopularityRecommender(),
  },
  {
    name: 'trending',
    baseline: true,
    description: '24h velocity against the previous week',
    create: () => new TrendingRecommender(),
  },
  {
    name: 'category-affinity',
    baseline: true,
    description: "user's category mix × item share of its category (content)",
    create: () => new CategoryAffinityRecommender(),
  },
  {
    name: 'item-knn',
    baseline: true,
    description: 'item-item cosine co-occurrence, 100 neighbours',
    create: () => new ItemKnnRecommender(),
  },
  {
    name: 'bpr-mf',
    baseline: true,
    description: 'BPR matrix factorisation, 64 dimensions',
    create: () => new BprMfRecommender(),
  },
  {
    name: 'ease',
    baseline: true,
    description: 'EASE closed-form item-item model on the 2,500 most popular items, λ = 500',
    create: () => new EaseRecommender(),
  },
  {
    name: 'two-tower',
    baseline: false,
    description: 'two-tower embedding model: id + content market tower, id + history user tower',
    create: () => new TwoTowerModel(),
  },
];

export const RECOMMENDERS: ReadonlyMap<string, RecommenderEntry> = new Map(
  RECOMMENDER_LIST.map((r) => [r.name, r]),
);

/** Fresh, unfitted instances of the baselines (all, or those named), in report order. */
export function baselineRecommenders(names?: readonly string[]): Recommender[] {
  return RECOMMENDER_LIST.filter((r) => r.baseline && (!names || names.includes(r.name))).map((r) =>
    r.create(),
  );
}
