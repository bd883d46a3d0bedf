/** The `models` collection: one document per trained (or failed) model version. */

export type ModelStatus = 'candidate' | 'active' | 'rejected' | 'retired' | 'failed';
export const MODEL_STATUSES: readonly ModelStatus[] = [
  'candidate',
  'active',
  'rejected',
  'retired',
  'failed',
];

/** Metric name (`ndcg@10`, `recall@10`, `hr@10`, `mrr`, `coverage`, …) → value. */
export type Metrics = Record<string, number>;

export interface GateResult {
  /** The metric compared, e.g. `ndcg@10`. */
  metric: string;
  /** Relative margin over the active model's metric the candidate must exceed. */
  margin: number;
  /** The baseline the candidate must beat, e.g. `popularity`. */
  baseline: string;
  decision: 'promote' | 'reject';
  reason: string;
  /** The compared values (absent when not evaluated). */
  values: { candidate?: number; active?: number; baseline?: number };
  /** The active model compared against, if any. */
  activeVersion?: string;
}

/** A type alias (not an interface) so it satisfies the store's Document constraint. */
export type ModelDoc = {
  /** Sortable and unique, e.g. `tt-20261123T010203Z-1a2b3c`. */
  version: string;
  /** Registry kind (models/kinds.ts), e.g. `two-tower`. */
  kind: string;
  status: ModelStatus;
  /** Interactions trained on: [from, to). */
  dataWindow: { from: Date; to: Date };
  seed: number;
  hyperparameters: Record<string, unknown>;
  /** Share of the window's interactions (the latest) held out for evaluation. */
  testFraction: number;
  /** Per ranker on the evaluation split: `candidate`, `active` (the model active then) and every baseline. */
  metrics?: Record<string, Metrics>;
  /** What the temporal split looked like (cut, sizes). */
  split?: Record<string, unknown>;
  gate?: GateResult;
  /** Where the artifact lives (its manifest.json says what is in it). */
  artifactDir: string;
  /** The job chain (or CLI run) that produced it: the steps of one chain find their candidate by it. */
  chainId?: string;
  createdAt: Date;
  trainedAt?: Date;
  trainSeconds?: number;
  evaluatedAt?: Date;
  decidedAt?: Date;
  /** Set each time the model becomes active; the highest promotionSeq among active models wins. */
  promotedAt?: Date;
  promotionSeq?: number;
  /** Why it was promoted (gate, manual, rollback). */
  promotionReason?: string;
  /** The active model the candidate was evaluated against (and why that evaluation failed, if it did). */
  comparedWith?: { version: string; error?: string };
  retiredAt?: Date;
  error?: string;
};
