import type { ServingModel } from '../../../models/core/types.js';
import { VectorIndex } from '../../../models/vector-search/vector-index.js';
import { openNeighbours, type CatalogueArrays } from '../catalogue/catalogue-arrays.js';
import type { CatalogueSnapshot } from '../catalogue/market-catalogue.js';
import { marketScores, type MarketScores } from '../catalogue/market-index.js';
import { annIndex } from '../catalogue/ann-indexes.js';
import type { IvfIndex } from '../../../models/vector-search/ivf-index.js';
import { topK } from '../../../models/vector-search/top-k.js';
import { dot } from '../../../models/vector-search/dot.js';
import { modelUserView, type ModelUserView } from './model-user-view.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import type { ServedHistory, UserContext } from './user-context.js';

/**
 * The model's view of the user: their vector's dot with the catalogue's markets (a cosine, or the
 * model's scaled score: VectorSpace), from an exact
 * scan of every row, or (large catalogues with an ANN index built) from the rows the index scans.
 */
export interface ModelSignals {
  model: ServingModel;
  /** The catalogue's markets under the model: vectors, or one-hot coordinates (models with `marketSlots`). */
  index: MarketScores;
  /**
   * Row i: the user's score of market i (in [−1, 1]), exact at every row after an exact scan; with an ANN
   * index, at the rows it scanned and those passed to `complete` (scratch: valid for this request).
   */
  similarity: Float32Array;
  /** The k rows where mask[row] === value most similar to the user, best first. */
  nearest(k: number, mask: Uint8Array, value: number): ArrayLike<number>;
  /** Makes `similarity` exact at these rows (candidates of other sources the ANN search did not reach). */
  complete(rows: readonly number[]): void;
  /** The user's vector and their recent markets' vectors. */
  view: ModelUserView;
}

/** Everything personal the pipeline scores with, per catalogue row, computed once per request. */
export interface UserSignals {
  history: ServedHistory[];
  /** Present when the ranker has a model, it is loaded, and it can place the user (history or trained on). */
  model?: ModelSignals;
  /** Per category / series index of the catalogue arrays: the user's share of interest. */
  categoryShare: Float32Array;
  seriesShare: Float32Array;
  neighbours: NeighbourSignals;
  /** Rows of other open markets of events the user trades. */
  siblings: Set<number>;
  /** Tickers the user trades (holds a position in). */
  held: Set<string>;
}

/** Per open row: summed co-interaction similarity to the user's recent markets, and the strongest. */
export interface NeighbourSignals {
  /** Rows with a score, in the order first reached. */
  rows: number[];
  score: Float32Array;
  /** Per row, the index into `history` of the recent market contributing most (−1: none). */
  via: Int8Array;
}

/** How many recent markets seed the neighbours source, and how fast their weight decays. */
const NEIGHBOUR_SEEDS = 10;
const NEIGHBOUR_DECAY = 0.85;

export function userSignals(
  catalogue: CatalogueSnapshot,
  a: CatalogueArrays,
  user: UserContext,
  config: RankerConfig,
  model: ServingModel | undefined,
): UserSignals {
  // Built field by field: a spread of entries of several shapes is several times slower.
  const history: ServedHistory[] = user.history.map((h) => {
    const market = catalogue.byTicker.get(h.ticker);
    const category = market?.category ?? h.category;
    return {
      ticker: h.ticker,
      type: h.type,
      eventTicker: market?.eventTicker ?? h.eventTicker,
      seriesTicker: market?.seriesTicker ?? h.seriesTicker,
      content: market?.content ?? [],
      title: market?.title ?? h.title,
      categoryKey: category?.toLowerCase(),
    };
  });

  let modelSignals: ModelSignals | undefined;
  if (config.model && model && (history.length > 0 || model.knowsUser(user.userId))) {
    const index = marketScores(catalogue, model);
    const vectors = index instanceof VectorIndex ? index : undefined;
    const view = modelUserView(user, history, model, vectors, a.row);
    const ann = vectors && annIndex(catalogue, model);
    if (view) modelSignals = ann ? approximate(model, vectors, ann, view) : exact(model, index, view);
  }

  // Co-interaction neighbours of the recent markets, newest weighing most, summed per open row
  // (into the snapshot's scratch, cleared of the previous request's rows first).
  const scratch = a.scratch;
  for (const row of scratch.neighbourRows) {
    scratch.neighbourScore[row] = 0;
    scratch.neighbourStrongest[row] = 0;
    scratch.neighbourVia[row] = -1;
  }
  const neighbours: NeighbourSignals = { rows: [], score: scratch.neighbourScore, via: scratch.neighbourVia };
  scratch.neighbourRows = neighbours.rows;
  const strongest = scratch.neighbourStrongest;
  const seeds = config.sources.neighbours || config.weights.neighbours ? NEIGHBOUR_SEEDS : 0;
  for (let j = 0; j < Math.min(seeds, history.length); j++) {
    const weight = NEIGHBOUR_DECAY ** j;
    const list = openNeighbours(catalogue, a, history[j]!.ticker);
    for (let k = 0; k < list.rows.length; k++) {
      const row = list.rows[k]!;
      const contribution = list.scores[k]! * weight;
      if (neighbours.score[row] === 0) neighbours.rows.push(row);
      neighbours.score[row]! += contribution;
      if (contribution > strongest[row]!) {
        strongest[row] = contribution;
        neighbours.via[row] = j;
      }
    }
  }

  const held = new Set(history.filter((h) => h.type === 'trade').map((h) => h.ticker));
  const siblings = new Set<number>();
  for (const h of history) {
    if (h.type !== 'trade') continue;
    const event = catalogue.byTicker.get(h.ticker)?.eventTicker ?? h.eventTicker;
    for (const row of (event && a.eventRows.get(event)) || [])
      if (!held.has(catalogue.markets[row]!.ticker)) siblings.add(row);
  }

  return {
    history,
    ...(modelSignals ? { model: modelSignals } : {}),
    categoryShare: shares(a.categoryKeys, user.categoryAffinity),
    seriesShare: shares(a.seriesKeys, user.seriesAffinity),
    neighbours,
    siblings,
    held,
  };
}

function exact(model: ServingModel, index: MarketScores, view: ModelUserView): ModelSignals {
  const similarity = index.scores(view.vector);
  return {
    model,
    index,
    view,
    similarity,
    nearest: (k, mask, value) => topK(similarity, k, mask, value),
    complete: () => {},
  };
}

function approximate(
  model: ServingModel,
  index: VectorIndex,
  ann: IvfIndex,
  view: ModelUserView,
): ModelSignals {
  const { similarity } = ann;
  const d = index.dim;
  return {
    model,
    index,
    view,
    similarity,
    nearest: (k, mask, value) => ann.search(view.vector, k, mask, value),
    complete: (rows) => {
      for (const row of rows) similarity[row] = dot(view.vector, 0, index.vectors, row * d, d);
    },
  };
}

/** The user's share per key index (most users follow a handful of the catalogue's series). */
function shares(keys: readonly string[], affinity: ReadonlyMap<string, number>): Float32Array {
  const out = new Float32Array(keys.length);
  if (affinity.size === 0) return out;
  for (let i = 0; i < keys.length; i++) out[i] = affinity.get(keys[i]!) ?? 0;
  return out;
}
