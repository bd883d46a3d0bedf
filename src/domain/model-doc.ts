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
  /**
   * Which rule judged (models/registry/gate.ts): `lead` — beat the active model of its kind and the
   * best baseline (the default ranker's kind, and kinds no ranker serves); `not-worse` — not
   * significantly worse than the active model of its kind (kinds served to experiment arms only).
   * Absent on decisions from before rules were recorded (`lead`).
   */
  rule?: 'lead' | 'not-worse';
  /** The metric compared, e.g. `ndcg@10`. */
  metric: string;
  /**
   * Absolute, in the metric's units: under `lead`, the lower bound of each paired difference must
   * exceed it; under `not-worse`, the upper bound of (candidate − active) must exceed −margin.
   */
  margin: number;
  /** The best baseline on this split, which the candidate had to beat (absent when none was evaluated). */
  baseline?: string;
  decision: 'promote' | 'reject';
  reason: string;
  /** The compared values (absent when not evaluated). */
  values: { candidate?: number; active?: number; baseline?: number };
  /** Evaluated users the differences were paired over, and their 95% intervals. */
  users?: number;
  intervals?: { active?: Interval; baseline?: Interval };
  /** The active model compared against, if any. */
  activeVersion?: string;
}

/** A mean difference (or mean) with its bootstrap 95% interval. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

/**
 * A served ranker's score blend learned for one model version (src/feed/offline/blend-fit.ts):
 * feeds ranked by that ranker with that model use these weights.
 */
export interface BlendFit {
  ranker: string;
  /** Weight per blend term (src/feed/pipeline/rank-feed.ts, BLEND_TERMS). */
  weights: Record<string, number>;
  /** The validation slice: the training window's last rows, never the test period. */
  validation: {
    from: string;
    to: string;
    users: number;
    k: number;
    /** nDCG@k on the slice of the lists the feed would serve (after diversity), with the ranker's configured weights and the served ones. */
    ndcgHand: number;
    ndcgFitted: number;
    /**
     * Which blend the winning ascent started from: `configured` (the ranker's weights) or a
     * model-free served ranker's, such as `category-affinity` (absent in older documents).
     */
    start?: string;
    /**
     * Whether the ascended weights serve: only when they beat the start's own on the validation
     * users each bootstrap bag left out, beyond doubt; otherwise `weights` are the start's (absent
     * in older documents, whose ascended weights always served).
     */
    learned?: boolean;
    /** The ascended weights' nDCG@k minus the start's on those left-out users. */
    outOfBagGain?: Interval & { users: number };
  };
  /** Seconds the fit took (its validation model included). */
  seconds: number;
}

/** What the gate compared, paired over the same evaluated users (evaluate step). */
export interface GateComparisons {
  metric: string;
  /** The line the gate judges: the default served ranker with the candidate, or the bare candidate. */
  subject: string;
  users: number;
  /** Subject minus the same line with the active model. */
  active?: Interval & { line: string };
  /** Subject minus the best baseline on the metric (baselines and model-free served rankers). */
  baseline?: Interval & { line: string };
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
  /** Learned blends of the served rankers that rank with this model, by ranker name. */
  blends?: Record<string, BlendFit>;
  /** The paired comparisons behind the gate's decision. */
  comparisons?: GateComparisons;
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
  /**
   * What the fit decided from the window's data and how it went (PersistentRecommender.lastFit):
   * for the two-tower, `halfLifeDays` (longer than its hyperparameter when that would leave the
   * decayed examples less than `minDecayedShare` of the weight), `negativeWindowBatches`,
   * `examplesPerSecond`, `backend`, `finalLoss`.
   */
  fit?: Record<string, number | string>;
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
  /** When its artifact was deleted (MODEL_KEEP_RETIRED): it can no longer be rolled back to. */
  artifactRemovedAt?: Date;
  error?: string;
};
