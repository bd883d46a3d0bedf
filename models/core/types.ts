/**
 * What every recommender in models/ (baselines and the two-tower) trains on and answers, so one
 * evaluation protocol can compare them all on the same split.
 */

/**
 * Interactions as parallel typed arrays with dense indices. Users and items are indexed in
 * ascending id order (numeric order when every id is numeric, else lexicographic), so ties broken
 * "by item id ascending" are ties broken by index.
 */
export interface InteractionLog {
  /** Index → external user id. */
  userIds: string[];
  /** Index → external item id (market ticker for Sibyl's own data). */
  itemIds: string[];
  user: Int32Array;
  item: Int32Array;
  /** Milliseconds since the epoch. */
  ts: Float64Array;
  /** Strength of the interaction (interaction-type weight; 1 when the source has none). */
  weight: Float32Array;
}

/** Content of one item: opaque tokens such as `category:crypto`, `series:KXBTC`, `title:bitcoin`. */
export type ItemContent = readonly string[];

export interface TrainSet {
  /** Training rows sorted by ts ascending. Indices range over the full vocabulary below. */
  log: InteractionLog;
  numUsers: number;
  numItems: number;
  /** The split's cut: every training row is strictly before it. Recency baselines decay towards it. */
  cutoffMs: number;
  /** Content per item index; absent for external interaction files (ids only). */
  content?: readonly ItemContent[];
  /**
   * What the held-out rows are: `after-cut`, what users engage with after the cut (a temporal
   * split, and every retrain), or `each-users-last`, each user's last row wherever it falls in the
   * log (leave-last-out). A model's sense of "now" (decay towards the cut, negatives from the same
   * time) holds only for the first. @defaultValue 'after-cut'
   */
  target?: 'after-cut' | 'each-users-last';
}

export interface FitOptions {
  seed: number;
  /** Called with done/total in [0, 1] as training proceeds. */
  onProgress?: (fraction: number, stage: string) => void;
}

export interface Recommender {
  readonly name: string;
  fit(train: TrainSet, options: FitOptions): Promise<void>;
  /**
   * Writes a score for every item index into `out` (length numItems); higher ranks first. The
   * evaluator masks the user's own training items, so implementations need not.
   */
  scoreUser(user: number, out: Float32Array): void;
}

/** A recommender whose learned parameters can be written to and read from an artifact directory. */
export interface PersistentRecommender extends Recommender {
  /** Registry kind, e.g. `two-tower`. */
  readonly kind: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /**
   * What the last fit decided from its data and how it went, where a kind reports it (the
   * two-tower: the half-life it decayed examples with, its negatives' window, throughput, final
   * loss). A retrain stores it with the model version (ModelDoc.fit).
   */
  readonly lastFit?: Readonly<Record<string, number | string>>;
  save(dir: string): Promise<void>;
  /**
   * Makes scoreUser answer for another split's vocabulary with the parameters already learned (no
   * training): how a loaded active model is evaluated on the same split as a new candidate.
   */
  bind(train: TrainSet): void;
}

/** A market as serving embeds it: its ticker and content tokens (see marketContentTokens). */
export interface ServedMarket {
  ticker: string;
  content: ItemContent;
}

/**
 * What a serving model's dot products mean (ServingModel.space):
 * - `cosine`: every vector is a unit vector (the two-tower), so user · market is a cosine and so is
 *   market · market: how alike two markets are ("Because you traded …" reasons, similar markets,
 *   and the ANN index's spherical clusters rely on it);
 * - `score`: only user · market means something, the model's own score of the market for the user,
 *   centred on the user's mean over the markets the model was trained on and scaled so that the
 *   largest magnitude is 1 (EASE, BPR-MF). Markets it never saw score 0: neutral. The feed then
 *   scans markets exactly and explains by co-interaction.
 * Either way user · market lies in [−1, 1]: the blend's `model` term (src/feed/pipeline/rank-feed.ts).
 */
export type VectorSpace = 'cosine' | 'score';

/**
 * A model as the feed ranks with it, whatever its kind: vectors for any market (new ones from
 * their content when the kind can) and for any user from their id and latest interactions, whose
 * dot product is the model's score in [−1, 1] (see VectorSpace).
 */
export interface ServingModel {
  /** The registry version it was loaded from. */
  readonly version: string;
  /** Length of every vector. */
  readonly dim: number;
  readonly space: VectorSpace;
  /** Whether the user was seen in training (their vector then carries more than their history). */
  knowsUser(userId: string): boolean;
  /** Vectors of `markets`, row i for markets[i], in one contiguous array. */
  marketVectors(markets: readonly ServedMarket[]): Float32Array;
  /**
   * For kinds whose market vectors are one-hot (EASE): each market's coordinate, −1 where its vector
   * is zero. The feed then keeps these instead of the vectors (models/vector-search/slot-index.ts).
   */
  marketSlots?(markets: readonly ServedMarket[]): Int32Array;
  /**
   * The user's vector from their id and their latest interactions, newest first; `undefined` when
   * the model cannot place them (an unknown user none of whose markets it knows).
   */
  userVector(userId: string, history: readonly ServedMarket[]): Float32Array | undefined;
  /**
   * Score blends learned with this version for the served rankers that rank with it, by ranker
   * name (term → weight); set once, before the model serves.
   */
  blends?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** How the registry creates and loads models of one kind, and how the feed serves them. */
export interface RecommenderKind {
  readonly kind: string;
  create(hyperparameters?: Record<string, unknown>): PersistentRecommender;
  load(dir: string): Promise<PersistentRecommender>;
  /**
   * The loaded model's serving form, built with `pause` awaited between chunks of work (a swap
   * happens while requests are served). Kinds without one are trained and evaluated, not served.
   */
  serve?(version: string, model: PersistentRecommender, pause: () => Promise<void>): Promise<ServingModel>;
}
