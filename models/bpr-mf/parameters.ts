import { z } from 'zod';

export const BPR_KIND = 'bpr-mf';

export const BprHyperparameters = z.strictObject({
  dim: z.number().int().positive().max(1024).default(64),
  epochs: z.number().int().positive().max(1000).default(20),
  learningRate: z.number().positive().default(0.05),
  /** L2 regularisation of the factors. */
  reg: z.number().min(0).default(0.002),
  /** L2 regularisation of the item biases. */
  biasReg: z.number().min(0).default(0.002),
  /** Standard deviation of the initial factors. */
  initScale: z.number().positive().default(0.1),
});
export type BprHyperparameters = z.output<typeof BprHyperparameters>;

/**
 * What BPR-MF learns, for the users and items that had training pairs only (the others' factors
 * are their random start, or zero: nothing learned): ids, user factors p, item factors q (rows of
 * `dim`) and item biases b.
 */
export interface BprParameters {
  hp: BprHyperparameters;
  userIds: string[];
  itemIds: string[];
  p: Float32Array;
  q: Float32Array;
  b: Float32Array;
}
