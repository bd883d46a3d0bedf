import type { CatalogArrays } from './catalog-arrays.js';
import type { CatalogMarket } from './catalog.js';
import type { RankerConfig } from './ranker-config.js';
import type { ServedHistory, UserSignals } from './user-signals.js';

const HOUR_MS = 3_600_000;
/** How many of the user's most recent markets a "Because you …" reason may name. */
const REASON_HISTORY = 10;

const VERB: Partial<Record<string, string>> = {
  trade: 'traded',
  watch: 'watched',
  click: 'opened',
  view: 'viewed',
};

/**
 * Why each served row is in this user's feed, most personal first: a sibling of a position, the
 * recent market it most resembles (by the model, else by co-interaction), a followed series or
 * category; then what is true of the market itself (trending, new, closing soon).
 */
export function reasonsFor(
  rows: readonly number[],
  markets: readonly CatalogMarket[],
  a: CatalogArrays,
  signals: UserSignals,
  config: RankerConfig,
  now: Date,
): string[][] {
  const model = signals.model;
  const closest = model ? closestHistory(rows, a, signals, model, config.reasonSimilarity) : undefined;
  return rows.map((row, j) => {
    const m = markets[row]!;
    const reasons: string[] = [];
    const via = signals.neighbours.via.get(row);
    const because = closest ? closest[j] : via === undefined ? undefined : signals.history[via];
    const series = a.series[row]!;
    if (signals.siblings.has(row)) reasons.push('Another market in an event you trade');
    else if (because && because.ticker !== m.ticker)
      reasons.push(
        `Because you ${VERB[because.type ?? ''] ?? 'showed interest in'} "${because.title ?? because.ticker}"`,
      );
    else if (series >= 0 && signals.seriesShare[series]! >= 0.1 && config.weights.seriesAffinity > 0)
      reasons.push('From a series you follow');
    else if (signals.categoryShare[a.category[row]!]! >= 0.15 && config.weights.categoryAffinity > 0)
      reasons.push(`Because you follow ${m.category}`);
    else if (model && model.similarity[row]! > 0.3) reasons.push(`Picked for you in ${m.category}`);
    const fresh = now.getTime() - a.openMs[row]! < config.freshWithinMs;
    return [...reasons, ...marketReasons(m, fresh, now, reasons.length)];
  });
}

/**
 * Per row, the user's recent market most similar to it by the model (at least `threshold`): one
 * blocked product of the rows' vectors with the recent markets' vectors.
 */
function closestHistory(
  rows: readonly number[],
  a: CatalogArrays,
  signals: UserSignals,
  model: NonNullable<UserSignals['model']>,
  threshold: number,
): (ServedHistory | undefined)[] {
  const history = signals.history.slice(0, REASON_HISTORY);
  const h = history.length;
  if (h === 0) return rows.map(() => undefined);
  // Recent markets still open have their vector in the index; only closed ones go through the tower.
  const d = model.index.dim;
  const vectors = new Float32Array(h * d);
  const closed = history.flatMap((entry, k) => {
    const row = a.row.get(entry.ticker);
    if (row === undefined) return [k];
    vectors.set(model.index.row(row), k * d);
    return [];
  });
  if (closed.length > 0) {
    const computed = model.model.marketVectors(closed.map((k) => history[k]!));
    closed.forEach((k, j) => vectors.set(computed.subarray(j * d, j * d + d), k * d));
  }
  const similarity = model.index.crossScores(rows, vectors, h);
  return rows.map((_, j) => {
    let best: ServedHistory | undefined;
    let bestSim = threshold;
    for (let k = 0; k < h; k++) {
      const s = similarity[j * h + k]!;
      if (s > bestSim) {
        bestSim = s;
        best = history[k];
      }
    }
    return best;
  });
}

/**
 * Reasons about the market itself (trending, new, closing soon), after `personal` reasons already
 * given; "Popular in …" when there is nothing else to say.
 */
export function marketReasons(m: CatalogMarket, fresh: boolean, now: Date, personal: number): string[] {
  const reasons: string[] = [];
  if (m.trendingInCategory) reasons.push(`Trending in ${m.category}`);
  if (fresh) reasons.push('New market');
  const hoursLeft = (m.closeTime.getTime() - now.getTime()) / HOUR_MS;
  if (hoursLeft < 24) reasons.push(`Closes in ${Math.max(1, Math.round(hoursLeft))}h`);
  if (reasons.length === 0 && personal === 0) reasons.push(`Popular in ${m.category}`);
  return reasons;
}
