import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DAY_MS } from '../../src/util/durations.js';

/** Every knob of the two-tower model; stored in each artifact's manifest. */
export const TwoTowerHyperparameters = z.strictObject({
  dim: z.int().min(4).max(512).default(64),
  epochs: z.int().min(1).max(200).default(8),
  batchSize: z.int().min(8).max(8192).default(1024),
  /** Softmax temperature over cosine similarities. */
  temperature: z.number().positive().default(0.2),
  /** Row-wise Adagrad learning rate of the embedding tables. */
  embeddingLearningRate: z.number().positive().default(0.08),
  /** Adam learning rate of the dense tower layers. */
  denseLearningRate: z.number().positive().default(0.002),
  /**
   * Recent markets that make up the user tower's history input (their mean; training rows are
   * distinct user–market pairs, the splits' dedupeSorted, so each market counts once, as in
   * serving's history). Where users' histories are long and their tastes hold (ratings over months
   * or years), more of it ranks better; where markets are short-lived, too much of it ranks worse
   * (50 on the simulator's logs).
   * 25, not 10: on 24 generated rating logs the served two-tower ranked the test period at mean
   * nDCG@10 0.1723 against 0.1595 (bare 0.1605 against 0.1490), and the store's simulator at 0.1176
   * against 0.1189 over five seeds (bare 0.0696 against 0.0638), for about 1% more fit time there.
   * 50 helped the bare model less on rating logs and cost the simulator's ids-only logs more
   * (BENCHMARKS.md).
   */
  historyLength: z.int().min(0).max(200).default(25),
  /** Probability of hiding an item's id embedding in a step, so the content path learns alone. */
  itemIdDropout: z.number().min(0).max(0.95).default(0.3),
  /** Probability of hiding a user's id embedding, so the history path learns alone. */
  userIdDropout: z.number().min(0).max(0.95).default(0.3),
  contentBuckets: z
    .int()
    .min(16)
    .max(1 << 22)
    .default(1 << 16),
  maxContentTokens: z.int().min(1).max(256).default(24),
  /** Example weight halves for every this-many days before the training cut (see minDecayedShare). */
  halfLifeDays: z.number().positive().default(14),
  /**
   * The decayed examples keep at least this share of the log's weight: where `halfLifeDays` would
   * leave less (a log spanning years), the half-life lengthens until they do (trainingHalfLife).
   * Decay is there to favour the present, not to starve the model: on six generated rating logs
   * spanning 22 years (bench/rating-log.ts), 14 days kept about 1% of the weight and the two-tower
   * ranked the test period at nDCG@10 0.000–0.015; a quarter kept, 0.030–0.097. Sibyl's own 60-day
   * window keeps 32% at 14 days, so its half-life stays as set. 0: `halfLifeDays` always.
   */
  minDecayedShare: z.number().min(0).max(1).default(0.25),
  /** Subtract log(sampling probability) from logits (log-Q correction). */
  logQCorrection: z.boolean().default(true),
  /**
   * In-batch negatives come from what was live at the time: each epoch cuts the time-ordered rows
   * into windows of this many batches (at a random offset), shuffles within each window and draws
   * every batch from one window, so a positive competes with markets engaged with around the same
   * time, not with markets closed weeks before. 0: batches drawn from the whole window at random.
   */
  negativeWindowBatches: z.int().min(0).max(10_000).default(4),
  /** Threads for the dense kernels. Results do not depend on it: each output is computed the same way. */
  threads: z.int().min(1).max(64).default(Math.min(2, availableParallelism())),
});
export type TwoTowerHyperparameters = z.infer<typeof TwoTowerHyperparameters>;

export const halfLifeMs = (hp: TwoTowerHyperparameters): number => hp.halfLifeDays * DAY_MS;
