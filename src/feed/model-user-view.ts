import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import type { UserContext } from './user-context.js';
import type { ServedHistory } from './user-signals.js';

/** How many of the user's most recent markets a "Because you …" reason may name. */
export const REASON_HISTORY = 10;

/** What a model makes of one user: their vector, and their most recent markets' vectors (for reasons). */
export interface ModelUserView {
  vector: Float32Array;
  /** Row k: the unit vector of history[k], for the first `REASON_HISTORY` entries. */
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
const views = new WeakMap<UserContext, { model: TwoTowerServing; view: ModelUserView }>();

export function modelUserView(
  user: UserContext,
  history: readonly ServedHistory[],
  model: TwoTowerServing,
): ModelUserView {
  const held = views.get(user);
  if (held?.model === model) return held.view;
  const recent = history.slice(0, REASON_HISTORY);
  const view = {
    vector: model.userVector(user.userId, history),
    recent: recent.length > 0 ? model.marketVectors(recent) : new Float32Array(0),
    recentCount: recent.length,
  };
  views.set(user, { model, view });
  return view;
}
