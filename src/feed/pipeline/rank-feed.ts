import type { ServingModel } from '../../../models/core/types.js';
import { gatherCandidates } from './candidate-sources.js';
import { catalogueArrays, type CatalogueArrays } from '../catalogue/catalogue-arrays.js';
import type { CatalogueSnapshot } from '../catalogue/market-catalogue.js';
import { diversifyIndexed } from './diversify.js';
import { withExplorationSlots } from './exploration.js';
import { topK } from '../../../models/vector-search/top-k.js';
import { eligibilityMask, type FeedFilter } from './filters.js';
import type { RankerConfig, SourceName } from '../rankers/ranker-config.js';
import { reasonsFor } from './reasons.js';
import type { SnapshotItem } from '../pages/snapshots.js';
import type { UserContext } from '../user/user-context.js';
import { userSignals, type UserSignals } from '../user/user-signals.js';

export interface RankRequest extends FeedFilter {
  now: Date;
  maxPerEvent: number;
}

/** What a ranked list keeps of each market (the feed snapshot's items): the rest is in the catalogue. */
export type RankedItem = SnapshotItem;

/**
 * The serving pipeline every ranker is a configuration of (docs/architecture.md, "Serving
 * pipeline"):
 *
 * 1. signals: the user's model vector and its dot with every open market (one SIMD scan; through
 *    the ANN index for large catalogues and cosine models), category and series shares, co-interaction neighbours of
 *    their recent markets, their positions' siblings;
 * 2. filters: open past the horizon, in the category filter, not dismissed, not held (per ranker);
 * 3. candidates: each of the ranker's sources proposes up to its quota;
 * 4. scoring: the ranker's blend, over candidates only
 *      w.model·model(user, market)          (in [−1, 1]: a cosine, or the model's centred and scaled
 *                                            score, VectorSpace; 0 for users the model cannot place)
 *    + w.popularity·z(popularity) + w.recency·z(recency) + w.trend·z(trend)   (standardized over the open catalogue,
 *                                            by a spread of at least one event: MIN_SPREAD)
 *    + w.freshness·[opened within freshWithinMs] + w.closingSoon·(0 … 1 over the last closingSoonMs)
 *    + w.categoryAffinity·share + w.seriesAffinity·share  (decayed shares of the user's interest)
 *    + w.neighbours·min(1, Σ co-interaction cosine)      + w.siblings·[sibling of a position];
 * 5. diversity: per-event and per-series caps, category spread (diversify.ts), and exploration
 *    slots for new markets (exploration.ts);
 * 6. reasons for what is kept.
 *
 * `model` is the active model for model-based rankers (callers pass the fallback ranker without one).
 */
export function rankFeed(
  catalogue: CatalogueSnapshot,
  user: UserContext,
  req: RankRequest,
  config: RankerConfig,
  model?: ServingModel,
): RankedItem[] {
  return rankCandidates(feedCandidates(catalogue, user, req, config, model), config.weights, config, req);
}

/** The blend's terms, in the order of `FeedCandidates.terms` (weights of the same names). */
export const BLEND_TERMS = [
  'model',
  'popularity',
  'recency',
  'trend',
  'freshness',
  'closingSoon',
  'categoryAffinity',
  'seriesAffinity',
  'neighbours',
  'siblings',
] as const satisfies readonly (keyof RankerConfig['weights'])[];
export type BlendWeights = RankerConfig['weights'];
const T = BLEND_TERMS.length;

/** Steps 1–3 and the blend's terms: what scoring needs, whatever the weights. */
export interface FeedCandidates {
  catalogue: CatalogueSnapshot;
  arrays: CatalogueArrays;
  signals: UserSignals;
  /** Candidate rows of the catalogue, in the order the sources proposed them. */
  rows: number[];
  source: SourceName[];
  /** Candidate j's value of term t (BLEND_TERMS) at terms[j·T + t]: the score is their weighted sum. */
  terms: Float64Array;
}

export function feedCandidates(
  catalogue: CatalogueSnapshot,
  user: UserContext,
  req: RankRequest,
  config: RankerConfig,
  model?: ServingModel,
): FeedCandidates {
  const a = catalogueArrays(catalogue);
  const signals = userSignals(catalogue, a, user, config, model);
  const excluded = config.excludeHeld ? [...user.dismissed, ...signals.held] : user.dismissed;
  const mask = eligibilityMask(a, excluded, req);
  const now = req.now.getTime();
  const { rows, source } = gatherCandidates(a, mask, signals, config, now);
  signals.model?.complete(rows);
  const similarity = signals.model?.similarity;
  const terms = new Float64Array(rows.length * T);
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j]!;
    const s = a.series[row]!;
    const o = j * T;
    terms[o] = similarity ? similarity[row]! : 0;
    terms[o + 1] = a.popularity[row]!;
    terms[o + 2] = a.recency[row]!;
    terms[o + 3] = a.trend[row]!;
    terms[o + 4] = now - a.openMs[row]! < config.freshWithinMs ? 1 : 0;
    terms[o + 5] = Math.max(0, 1 - (a.closeMs[row]! - now) / config.closingSoonMs);
    terms[o + 6] = signals.categoryShare[a.category[row]!]!;
    terms[o + 7] = s >= 0 ? signals.seriesShare[s]! : 0;
    terms[o + 8] = Math.min(1, signals.neighbours.score[row]!);
    terms[o + 9] = signals.siblings.has(row) ? 1 : 0;
  }
  return { catalogue, arrays: a, signals, rows, source, terms };
}

/** The weights as a vector in BLEND_TERMS order. */
export function weightVector(weights: BlendWeights): Float64Array {
  return Float64Array.from(BLEND_TERMS, (t) => weights[t]);
}

/** Each candidate's blend: terms (row-major, one row of w.length per candidate) · w, into `out`. */
export function blendScores<A extends Float32Array | Float64Array>(
  terms: Float64Array,
  w: Float64Array,
  out: A,
): A {
  const T = w.length;
  for (let j = 0; j < out.length; j++) {
    let sum = 0;
    for (let t = 0, o = j * T; t < T; t++) sum += w[t]! * terms[o + t]!;
    out[j] = sum;
  }
  return out;
}

/** Steps 4–6: the blend with these weights, diversity and exploration, reasons. */
export function rankCandidates(
  candidates: FeedCandidates,
  weights: BlendWeights,
  config: RankerConfig,
  req: RankRequest,
): RankedItem[] {
  const { catalogue, arrays: a, signals, rows } = candidates;
  const { positions, score } = servedOrder(candidates, config, req)(weightVector(weights));
  const kept = positions.map((j) => rows[j]!);
  const reasons = reasonsFor(kept, catalogue.markets, a, signals, config, req.now);
  return positions.map((j, i) => ({
    ticker: catalogue.markets[rows[j]!]!.ticker,
    // Rounded so responses stay readable and stable.
    score: Math.round(score[j]! * 1e4) / 1e4,
    reasons: reasons[i]!,
  }));
}

/**
 * Steps 4–5 for these candidates: a function from blend weights `w` (BLEND_TERMS order) to the
 * kept candidates' positions in feed order after diversity and exploration, and every candidate's
 * score (a buffer reused by the next call). What a learned blend is judged by (blend-fit.ts): the
 * list the feed serves, not the candidates' order by score alone; the candidates' diversity keys
 * are read once for all the weights tried.
 */
export function servedOrder(
  candidates: Pick<FeedCandidates, 'arrays' | 'rows' | 'source' | 'terms'>,
  config: RankerConfig,
  req: RankRequest,
): (w: Float64Array) => { positions: number[]; score: Float32Array } {
  const { arrays: a, rows, source, terms } = candidates;
  const n = rows.length;
  // Per candidate position, its keys for diversity (typed: read per pick, per category).
  const event = new Int32Array(n);
  const series = new Int32Array(n);
  const category = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const row = rows[j]!;
    event[j] = a.event[row]!;
    series[j] = a.series[row]!;
    category[j] = a.category[row]!;
  }
  const items = {
    event,
    series,
    category,
    events: a.eventKeys.length,
    seriesCount: a.seriesKeys.length,
    categories: a.categoryKeys.length,
  };
  // A new market that has any volume or engagement is the blend's to judge; a slot is for one
  // nothing is known about yet, which the blend alone would leave without any.
  const isNew = (j: number) => source[j] === 'fresh' && a.unproven[rows[j]!] === 1;
  const score = new Float32Array(n);
  return (w) => {
    blendScores(terms, w, score);
    // Candidate positions best first (ties: the candidate proposed first), then diversity.
    const order = topK(score, n);
    const diversified = diversifyIndexed(
      order,
      { ...items, score },
      {
        maxPerEvent: req.maxPerEvent,
        maxPerSeries: config.diversity.maxPerSeries,
        categoryPenalty: config.diversity.categoryPenalty,
        window: config.diversity.window,
        limit: config.maxItems,
      },
    );
    const positions = withExplorationSlots(diversified, order, isNew, {
      every: config.diversity.exploreEvery,
      limit: config.maxItems,
      event,
      series,
      events: items.events,
      seriesCount: items.seriesCount,
      maxPerEvent: req.maxPerEvent,
      maxPerSeries: config.diversity.maxPerSeries,
    });
    return { positions, score };
  };
}
