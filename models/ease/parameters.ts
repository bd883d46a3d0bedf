import { z } from 'zod';

export const EASE_KIND = 'ease';

export const EaseHyperparameters = z.strictObject({
  /** L2 regularisation λ added to the Gram diagonal. */
  lambda: z.number().positive().default(500),
  /**
   * The model covers this many of the most popular training items: the fit is O(N³) time and N²
   * memory, and serving's vectors have N coordinates (MODEL_EASE_MAX_ITEMS in the nightly chain).
   */
  maxItems: z.number().int().positive().max(20_000).default(2500),
});
export type EaseHyperparameters = z.output<typeof EaseHyperparameters>;

/** What EASE learns: the modelled items' ids (slot order) and B over them, N × N row-major. */
export interface EaseParameters {
  hp: EaseHyperparameters;
  itemIds: string[];
  weights: Float32Array;
}
