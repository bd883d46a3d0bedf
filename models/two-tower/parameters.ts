import type { EmbeddingTable } from './embedding-table.js';
import type { TwoTowerHyperparameters } from './hyperparameters.js';

/** Learned parameters: what an artifact holds. */
export interface TwoTowerParameters {
  hp: TwoTowerHyperparameters;
  userIds: string[];
  itemIds: string[];
  /** 1 for items with training rows: only those have a learned id embedding. */
  itemTrained: Uint8Array;
  userTrained: Uint8Array;
  users: EmbeddingTable;
  items: EmbeddingTable;
  content: EmbeddingTable;
  /** dim × 2·dim: [user id embedding ; mean of history item inputs] → user vector. */
  wu: Float32Array;
  /** dim × dim: item input (id embedding + mean content embedding) → item vector. */
  wm: Float32Array;
  /** Whether items had content tokens at training time (external CSVs have none). */
  withContent: boolean;
  /**
   * Each item's tower input (id + content) as of training, so serving can use a market's learned
   * representation in a user's history without its content tokens at hand.
   */
  itemInputs: Float32Array;
}
