import type { ServingModel } from '../../../models/core/types.js';
import type { VectorIndex } from '../../../models/vector-search/vector-index.js';
import type { ServedHistory, UserContext } from './user-context.js';

/** How many of the user's most recent markets a "Because you …" reason may name. */
export const REASON_HISTORY = 10;

/**
 * What a model makes of one user: their vector, and (cosine models) their most recent markets'
 * vectors, for reasons. None when the model cannot place them.
 */
export interface ModelUserView {
  vector: Float32Array;
  /** Row k: the unit vector of history[k], for the first `REASON_HISTORY` entries (cosine models only). */
  recent: Float32Array;
  recentCount: number;
}

/**
 * Per user context, what the active model made of it. A context object is replaced, never
 * mutated, when the user acts (UserContextCache), so while one is cached its user's later feeds
 * reuse the tower passes instead of repeating them (for closed recent markets, a GEMM per
 * request). A market whose title or tags are edited keeps its old content here until the
 * context is reloaded (FEED_USER_CACHE_SECONDS at most).
 */
const views = new WeakMap<UserContext, { model: ServingModel; view: ModelUserView | undefined }>();

export function modelUserView(
  user: UserContext,
  history: readonly ServedHistory[],
  model: ServingModel,
  /** The catalogue's vectors under a cosine model (recent markets' vectors come from it). */
  index: VectorIndex | undefined,
  rowOf: ReadonlyMap<string, number>,
): ModelUserView | undefined {
  const held = views.get(user);
  if (held?.model === model) return held.view;
  const vector = model.userVector(user.userId, history);
  // Markets compare with markets only in a cosine space: a `score` model explains nothing by them.
  const recent = vector && index && model.space === 'cosine' ? history.slice(0, REASON_HISTORY) : [];
  // Recent markets still open have their vector in the catalogue's index; only closed ones go
  // through the tower.
  const d = model.dim;
  const vectors = new Float32Array(recent.length * d);
  const closed: number[] = [];
  recent.forEach((entry, k) => {
    const row = rowOf.get(entry.ticker);
    if (row === undefined) closed.push(k);
    else vectors.set(index!.row(row), k * d);
  });
  if (closed.length > 0) {
    const computed = model.marketVectors(closed.map((k) => recent[k]!));
    closed.forEach((k, j) => vectors.set(computed.subarray(j * d, j * d + d), k * d));
  }
  const view = vector ? { vector, recent: vectors, recentCount: recent.length } : undefined;
  views.set(user, { model, view });
  return view;
}
