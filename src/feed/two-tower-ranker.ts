import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import type { CatalogSnapshot } from './catalog.js';
import { scanAndSelect } from './candidate-scan.js';
import { dot } from '../../models/core/dot.js';
import { marketReasons, type RankedItem, type RankRequest } from './popularity-ranker.js';
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
  /** Added to the other open markets of events the user traded in (their positions' siblings). */
  siblingBoost: number;
  /** Leave out markets the user already traded (holds a position in). */
  excludeHeld: boolean;
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
  siblingBoost: 0.4,
  excludeHeld: false,
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
    return { ...h, content: market?.content ?? [], title: market?.title ?? h.title };
  });
  const u = model.userVector(user.userId, history);
  const personal = history.length > 0 || model.knowsUser(user.userId);
  const modelWeight = personal ? config.weights.model : 0;
  // Positions: their events' other markets get a lift; the markets themselves may be left out.
  const held = new Set(history.filter((h) => h.type === 'trade').map((h) => h.ticker));
  const heldEvents = new Set(
    history.flatMap((h) => {
      const event =
        h.type === 'trade' ? (catalog.byTicker.get(h.ticker)?.eventTicker ?? h.eventTicker) : undefined;
      return event ? [event] : [];
    }),
  );
  const siblings = new Set<number>();
  const ranked = scanAndSelect(
    catalog,
    req,
    config,
    (i) => modelWeight * dot(u, 0, vectors, i * d, d),
    config.excludeHeld ? [...user.dismissed, ...held] : user.dismissed,
    (scores, a) => {
      for (const event of heldEvents) {
        for (const i of a.eventRows.get(event) ?? []) {
          if (held.has(catalog.markets[i]!.ticker) || !(scores[i]! > -Infinity)) continue;
          scores[i] = scores[i]! + config.siblingBoost;
          siblings.add(i);
        }
      }
    },
  );
  // Reasons only for what is served: they cost a few dot products per item.
  const historyVectors = model.marketVectors(history);
  return ranked.map(({ index, fresh, ...item }) => {
    const m = catalog.markets[index]!;
    const similarity = dot(u, 0, vectors, index * d, d);
    const because = personal
      ? closestHistory(vectors, index, history, historyVectors, d, config.reasonSimilarity)
      : undefined;
    const reasons: string[] = [];
    if (siblings.has(index)) reasons.push('Another market in an event you trade');
    else if (because && because.ticker !== m.ticker)
      reasons.push(
        `Because you ${VERB[because.type ?? ''] ?? 'showed interest in'} "${because.title ?? because.ticker}"`,
      );
    else if (personal && similarity > 0.3) reasons.push(`Picked for you in ${m.category}`);
    return { ...item, reasons: [...reasons, ...marketReasons(m, fresh, req.now, reasons.length)] };
  });
}

type ServedHistory = HistoryEntry & { content: readonly string[]; title: string | undefined };

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
    const s = dot(vectors, index * d, historyVectors, j * d, d);
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
