import { VectorIndex } from '../../../models/vector-search/vector-index.js';
import type { CatalogueArrays } from '../catalogue/catalogue-arrays.js';
import type { CatalogueMarket } from '../catalogue/market-catalogue.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import type { ServedHistory } from '../user/user-context.js';
import type { UserSignals } from '../user/user-signals.js';
import { HOUR_MS } from '../../util/durations.js';

/**
 * One string per distinct reason, built once: a feed repeats a handful of them across 200 items,
 * and shared strings cost no allocation per item and hash once when a snapshot is encoded.
 */
const phrases = new Map<string, Map<string, string>>();
const phrase = (prefix: string, subject: string): string => {
  let bySubject = phrases.get(prefix);
  if (!bySubject) phrases.set(prefix, (bySubject = new Map()));
  let text = bySubject.get(subject);
  if (text === undefined) {
    // Bounded by the catalogue's categories; a guard all the same.
    if (bySubject.size > 10_000) bySubject.clear();
    bySubject.set(subject, (text = prefix + subject));
  }
  return text;
};
const CLOSES_IN = Array.from({ length: 25 }, (_, h) => `Closes in ${Math.max(1, h)}h`);

/** Reasons drawn from what the user did: only that user (or a server with an API key) may see them. */
const SIBLING_OF_POSITION = 'Another market in an event you trade';
const FOLLOWED_SERIES = 'From a series you follow';
const BECAUSE_YOU = 'Because you ';
const PICKED_FOR_YOU = 'Picked for you in ';
const PERSONAL_PREFIXES = [SIBLING_OF_POSITION, FOLLOWED_SERIES, BECAUSE_YOU, PICKED_FOR_YOU];

/** Whether a reason reveals the user's history (a market they traded, a series or category they follow). */
export const isPersonalReason = (reason: string): boolean =>
  PERSONAL_PREFIXES.some((prefix) => reason.startsWith(prefix));

/**
 * The reasons an anonymous caller may see: those about the market itself, else a generic one, so a
 * feed fetched by user id alone tells nothing of what that user did.
 */
export function publicReasons(reasons: readonly string[]): string[] {
  const kept = reasons.filter((r) => !isPersonalReason(r));
  return kept.length > 0 ? kept : ['Picked for you'];
}

const VERB: Partial<Record<string, string>> = {
  trade: 'traded',
  watch: 'watched',
  click: 'opened',
  view: 'viewed',
};

/**
 * Why each served row is in this user's feed, most personal first: a sibling of a position, the
 * recent market it most resembles (by a cosine model, else by co-interaction), a followed series or
 * category; then what is true of the market itself (trending, new, closing soon).
 */
export function reasonsFor(
  rows: readonly number[],
  markets: readonly CatalogueMarket[],
  a: CatalogueArrays,
  signals: UserSignals,
  config: RankerConfig,
  now: Date,
): string[][] {
  const model = signals.model;
  // Only a cosine model says how alike two markets are; the others explain by co-interaction.
  const closest =
    model?.model.space === 'cosine'
      ? closestHistory(rows, markets, signals, model, config.reasonSimilarity)
      : undefined;
  const becauseOf = new Map<ServedHistory, string>();
  const because = (h: ServedHistory) => {
    let text = becauseOf.get(h);
    if (text === undefined)
      becauseOf.set(
        h,
        (text = `${BECAUSE_YOU}${VERB[h.type ?? ''] ?? 'showed interest in'} "${h.title ?? h.ticker}"`),
      );
    return text;
  };
  return rows.map((row, j) => {
    const m = markets[row]!;
    const reasons: string[] = [];
    const via = signals.neighbours.via[row]!;
    const recent = closest ? closest[j] : via < 0 ? undefined : signals.history[via];
    const series = a.series[row]!;
    if (signals.siblings.has(row)) reasons.push(SIBLING_OF_POSITION);
    else if (recent && recent.ticker !== m.ticker && related(recent, m)) reasons.push(because(recent));
    else if (series >= 0 && signals.seriesShare[series]! >= 0.1 && config.weights.seriesAffinity > 0)
      reasons.push(FOLLOWED_SERIES);
    else if (signals.categoryShare[a.category[row]!]! >= 0.15 && config.weights.categoryAffinity > 0)
      reasons.push(phrase(`${BECAUSE_YOU}follow `, m.category));
    else if (model && model.similarity[row]! > 0.3) reasons.push(phrase(PICKED_FOR_YOU, m.category));
    const fresh = now.getTime() - a.openMs[row]! < config.freshWithinMs;
    marketReasons(m, fresh, (a.closeMs[row]! - now.getTime()) / HOUR_MS, reasons);
    return reasons;
  });
}

/**
 * Whether a recent market may explain a served one: a reason that names a weather trade under a
 * football market reads as a bug, however similar their vectors or users. Same event, series or
 * category.
 */
export function related(h: ServedHistory, m: CatalogueMarket): boolean {
  return (
    h.eventTicker === m.eventTicker ||
    (h.seriesTicker !== undefined && h.seriesTicker === m.seriesTicker) ||
    h.categoryKey === m.categoryKey
  );
}

/**
 * Per row, the related recent market (see `related`) most similar to it by the model (at least
 * `threshold`): one blocked product of the rows' vectors with the recent markets' vectors.
 */
function closestHistory(
  rows: readonly number[],
  markets: readonly CatalogueMarket[],
  signals: UserSignals,
  model: NonNullable<UserSignals['model']>,
  threshold: number,
): (ServedHistory | undefined)[] {
  const { recent, recentCount: h } = model.view;
  if (h === 0 || !(model.index instanceof VectorIndex)) return rows.map(() => undefined);
  const similarity = model.index.crossScores(rows, recent, h);
  return rows.map((row, j) => {
    let best: ServedHistory | undefined;
    let bestSim = threshold;
    for (let k = 0; k < h; k++) {
      const s = similarity[j * h + k]!;
      if (s > bestSim && related(signals.history[k]!, markets[row]!)) {
        bestSim = s;
        best = signals.history[k];
      }
    }
    return best;
  });
}

/**
 * Appends reasons about the market itself (trending, new, closing soon) to the personal ones
 * already in `reasons`; "Popular in …" when there is nothing else to say.
 */
function marketReasons(m: CatalogueMarket, fresh: boolean, hoursLeft: number, reasons: string[]): void {
  if (m.trendingInCategory) reasons.push(phrase('Trending in ', m.category));
  if (fresh) reasons.push('New market');
  if (hoursLeft < 24) reasons.push(CLOSES_IN[Math.max(1, Math.round(hoursLeft))]!);
  if (reasons.length === 0) reasons.push(phrase('Popular in ', m.category));
}
