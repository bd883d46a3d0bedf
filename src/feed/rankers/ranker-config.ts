import { z } from 'zod';
import { hasKind, listKinds } from '../../../models/kinds.js';
import { HOUR_MS } from '../../util/durations.js';

/**
 * Where a ranker's candidates come from. Each source proposes at most its quota of markets that
 * pass the request's filters; the union is scored by the ranker's blend.
 * - `embedding`: the user's top markets by the model's dot product over every open market
 * - `neighbours`: co-interaction neighbours (market_neighbours) of the user's recent markets
 * - `affinity`: the most popular markets of the categories the user engages with, by share
 * - `trending`, `popular`: the catalogue's top markets by trend / popularity
 * - `fresh`: the newest markets (opened within `freshWithinMs`), for exploration
 * - `siblings`: other open markets of events the user trades
 */
export const SOURCE_NAMES = [
  'embedding',
  'neighbours',
  'affinity',
  'trending',
  'popular',
  'fresh',
  'siblings',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

const weight = z.number().finite().default(0);
const quota = z.number().int().min(0).max(100_000);

export const RankerConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    version: z.number().int().positive(),
    /**
     * The model kind the ranker scores with (models/kinds.ts: two-tower, ease, bpr-mf), the active
     * model of that kind; while that kind has none, `fallback` ranks instead.
     */
    model: z
      .string()
      .refine(hasKind, {
        error: (issue) => `unknown model kind "${String(issue.input)}"; kinds are ${listKinds().join(', ')}`,
      })
      .optional(),
    fallback: z.string().optional(),
    sources: z
      .object(
        Object.fromEntries(SOURCE_NAMES.map((s) => [s, quota.optional()])) as Record<
          SourceName,
          z.ZodOptional<typeof quota>
        >,
      )
      .strict()
      .refine((s) => Object.values(s).some((q) => (q ?? 0) > 0), 'at least one source needs a quota'),
    /** The score blend, term by term (see rank-feed.ts for each term's scale). */
    weights: z
      .object({
        model: weight,
        popularity: weight,
        /** Recency-weighted popularity over all history (market_features.recency). */
        recency: weight,
        trend: weight,
        freshness: weight,
        closingSoon: weight,
        categoryAffinity: weight,
        seriesAffinity: weight,
        neighbours: weight,
        siblings: weight,
      })
      .strict(),
    /** Markets younger than this are "new": the `fresh` source, the freshness term and its reason. */
    freshWithinMs: z
      .number()
      .positive()
      .default(24 * HOUR_MS),
    /** The closing-soon term rises from 0 to 1 over this last stretch before close. */
    closingSoonMs: z
      .number()
      .positive()
      .default(48 * HOUR_MS),
    diversity: z
      .object({
        /** Subtracted per same-category item among the last `window` picks. */
        categoryPenalty: z.number().min(0).default(0.35),
        window: z.number().int().min(0).default(5),
        /** Hard cap per series over the whole list (the per-event cap comes with the request). */
        maxPerSeries: z.number().int().positive().default(6),
        /**
         * Every n-th position goes to the best new market (`fresh` source) nobody has engaged with
         * yet (`CatalogueMarket.unproven`) that was not otherwise kept; 0: off.
         */
        exploreEvery: z.number().int().min(0).default(10),
      })
      .strict()
      .prefault({}),
    /** Leave out markets the user already trades (holds a position in). */
    excludeHeld: z.boolean().default(false),
    /** A recent market at least this similar to a candidate becomes its "Because you …" reason. */
    reasonSimilarity: z.number().min(-1).max(1).default(0.5),
    /** Length of the ranked list a feed snapshot holds (what cursors page through). */
    maxItems: z.number().int().positive().max(1000).default(200),
  })
  .strict()
  .refine((c) => !c.model || c.fallback, {
    message: 'a model-based ranker needs a fallback',
    path: ['fallback'],
  });

export type RankerConfig = z.output<typeof RankerConfigSchema>;
export type RankerDefinition = z.input<typeof RankerConfigSchema>;
