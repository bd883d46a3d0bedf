import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import type { CatalogSnapshot } from './catalog.js';
import {
  eligible,
  isFresh,
  marketReasons,
  orderAndDiversify,
  rankedItem,
  type RankedItem,
  type RankRequest,
} from './popularity-ranker.js';
import type { HistoryEntry, UserContext } from './user-context.js';

const HOUR_MS = 3_600_000;

/** The two-tower ranker's knobs: a named, versioned configuration. */
export interface TwoTowerRankerConfig {
  kind: 'two-tower';
  name: string;
  version: number;
  weights: {
    /** On the model's cosine similarity (in [−1, 1]). */
    model: number;
    popularity: number;
    trend: number;
    freshness: number;
  };
  freshWithinMs: number;
  categoryPenalty: number;
  diversityWindow: number;
  maxItems: number;
  /** A history market this similar to a candidate becomes its "Because you …" reason. */
  reasonSimilarity: number;
}

export const TWO_TOWER_RANKER: TwoTowerRankerConfig = {
  kind: 'two-tower',
  name: 'two-tower',
  version: 1,
  weights: { model: 3, popularity: 0.35, trend: 0.2, freshness: 0.1 },
  freshWithinMs: 24 * HOUR_MS,
  categoryPenalty: 0.35,
  diversityWindow: 5,
  maxItems: 200,
  reasonSimilarity: 0.5,
};

/** Market vectors of one catalogue snapshot under one model, computed once per pair. */
const vectorCache = new WeakMap<CatalogSnapshot, { version: string; vectors: Float32Array }>();

/** Unit vectors of the snapshot's markets (row i for markets[i]) under `model`, computed once per pair. */
export function marketVectors(catalog: CatalogSnapshot, model: TwoTowerServing): Float32Array {
  const cached = vectorCache.get(catalog);
  if (cached?.version === model.version) return cached.vectors;
  const vectors = model.marketVectors(catalog.markets);
  vectorCache.set(catalog, { version: model.version, vectors });
  return vectors;
}

/**
 * Open markets by the model's affinity between the user (id + latest interactions, read at request
 * time) and each market (id + content, so new markets rank too), blended with popularity, trend
 * and freshness, then diversified like every feed.
 */
export function rankTwoTower(
  catalog: CatalogSnapshot,
  user: UserContext,
  req: RankRequest,
  model: TwoTowerServing,
  config: TwoTowerRankerConfig = TWO_TOWER_RANKER,
): RankedItem[] {
  const d = model.dim;
  const vectors = marketVectors(catalog, model);
  const history: ServedHistory[] = user.history.map((h) => {
    const market = catalog.byTicker.get(h.ticker);
    return { ...h, content: market?.content ?? [], ...(market ? { title: market.title } : {}) };
  });
  const u = model.userVector(user.userId, history);
  const personal = history.length > 0 || model.knowsUser(user.userId);
  const w = config.weights;
  const scored: (RankedItem & { index: number; similarity: number; fresh: boolean })[] = [];
  catalog.markets.forEach((m, index) => {
    if (!eligible(m, user, req)) return;
    let similarity = 0;
    for (let k = 0; k < d; k++) similarity += u[k]! * vectors[index * d + k]!;
    const fresh = isFresh(m, req.now, config.freshWithinMs);
    const score =
      (personal ? w.model * similarity : 0) +
      w.popularity * m.popularity +
      w.trend * m.trend +
      (fresh ? w.freshness : 0);
    scored.push({ ...rankedItem(m, score, []), index, similarity, fresh });
  });
  const ranked = orderAndDiversify(scored, req, config);
  // Reasons only for what is served: they cost a few dot products per item.
  const historyVectors = model.marketVectors(history);
  return ranked.map(({ index, similarity, fresh, ...item }) => {
    const m = catalog.markets[index]!;
    const because = personal
      ? closestHistory(vectors, index, history, historyVectors, d, config.reasonSimilarity)
      : undefined;
    const reasons: string[] = [];
    if (because && because.ticker !== m.ticker)
      reasons.push(
        `Because you ${VERB[because.type ?? ''] ?? 'engaged with'} "${because.title ?? because.ticker}"`,
      );
    else if (personal && similarity > 0.3) reasons.push(`Picked for you in ${m.category}`);
    return { ...item, reasons: [...reasons, ...marketReasons(m, fresh, req.now, reasons.length)] };
  });
}

type ServedHistory = HistoryEntry & { content: readonly string[]; title?: string };

/** The history market most similar to candidate `index`, if similar enough. */
function closestHistory(
  vectors: Float32Array,
  index: number,
  history: ServedHistory[],
  historyVectors: Float32Array,
  d: number,
  threshold: number,
): ServedHistory | undefined {
  let best: ServedHistory | undefined;
  let bestSim = threshold;
  history.forEach((h, j) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += vectors[index * d + k]! * historyVectors[j * d + k]!;
    if (s > bestSim) {
      bestSim = s;
      best = h;
    }
  });
  return best;
}

const VERB: Partial<Record<string, string>> = {
  trade: 'traded',
  watch: 'watched',
  click: 'opened',
  view: 'viewed',
};
