import { DEFAULT_HALF_LIFE_MS, INTERACTION_WEIGHTS } from '../../domain/interaction-weights.js';
import { coll } from '../../store/collections.js';
import type { Store } from '../../store/types.js';
import type { InteractionType } from '../../domain/schemas.js';

export interface UserContextOptions {
  /** Most recent interactions read per request. @defaultValue 500 */
  historyLimit: number;
  /** Older interest counts half as much per half-life. @defaultValue 7 days */
  halfLifeMs: number;
}

export const DEFAULT_USER_CONTEXT: UserContextOptions = {
  historyLimit: 500,
  halfLifeMs: DEFAULT_HALF_LIFE_MS,
};

/** What the ranker knows about a user at request time. */
export interface UserContext {
  userId: string;
  dismissed: Set<string>;
  /** Share of decayed positive interest per lower-cased category (empty for a cold-start user). */
  categoryAffinity: Map<string, number>;
  seriesAffinity: Map<string, number>;
  /**
   * Markets the user engaged with positively, newest first (the interactions read, then the
   * features' recent markets): the two-tower user tower's history input.
   */
  history: HistoryEntry[];
  /** Targeting attributes stored for the user (`PUT /v1/users`), for experiment assignment. */
  attributes: Record<string, unknown>;
  /** Whether anything is stored about the user (features, interactions, a `users` document): a never-seen id is not. */
  known: boolean;
}

export interface HistoryEntry {
  ticker: string;
  /** The strongest positive interaction type seen for it in the recent read, if any. */
  type?: InteractionType;
  title?: string;
  eventTicker?: string;
  seriesTicker?: string;
  category?: string;
}

/**
 * A history entry with what serving needs of its market: content for the tower, and for reasons
 * its title and what relates it to other markets (event, series, lower-cased category).
 */
export type ServedHistory = HistoryEntry & {
  content: readonly string[];
  title: string | undefined;
  categoryKey: string | undefined;
};

/** A user the pipeline knows nothing about (yet). */
export function emptyUserContext(userId: string): UserContext {
  return {
    userId,
    dismissed: new Set(),
    categoryAffinity: new Map(),
    seriesAffinity: new Map(),
    history: [],
    attributes: {},
    known: false,
  };
}

/** What the context reads of a market (a catalogue market has these fields). */
export interface MarketFields {
  ticker: string;
  eventTicker?: string;
  category?: string;
  seriesTicker?: string;
  title?: string;
}

interface AffinityEntry {
  key: string;
  share: number;
}

/** What the caller already holds in memory, which saves reads. */
export interface ContextShortcuts {
  /** Open markets by ticker (the catalogue): the context reads nothing more about them. */
  openMarkets?: ReadonlyMap<string, MarketFields>;
  /**
   * The watermark of a completed refresh (a stale one does: watermarks only move forward).
   * Interactions received before it are in their users' features already and are not read.
   */
  featuresSince?: Date;
}

/**
 * The user's interests: the precomputed `user_features` (long history, decayed to their asOf)
 * plus every interaction received after that asOf, read now, so what a user did a second ago
 * already moves their next feed. Without features yet, the recent history is all there is.
 *
 * The features document's own asOf says which interactions it holds (a refresh writes each
 * user's with its watermark), so all reads go out at once and an interaction counts once even
 * while a refresh is rewriting features and the global watermark has not moved yet.
 */
export async function loadUserContext(
  store: Store,
  userId: string,
  now: Date,
  options: UserContextOptions = DEFAULT_USER_CONTEXT,
  { openMarkets, featuresSince }: ContextShortcuts = {},
): Promise<UserContext> {
  const [features, recent, dismissedPairs, userDoc] = await Promise.all([
    store.collection('user_features').findOne({ userId }),
    coll(store, 'interactions')
      .find(
        { userId, ...(featuresSince ? { receivedAt: { $gt: featuresSince } } : {}) },
        {
          sort: { ts: -1 },
          limit: options.historyLimit,
          projection: { _id: 0, ticker: 1, type: 1, ts: 1, receivedAt: 1 },
        },
      )
      .toArray(),
    store
      .collection('user_market_features')
      .find({ userId, 'counts.dismiss': { $gt: 0 } }, { projection: { _id: 0, ticker: 1 } })
      .toArray(),
    store.collection('users').findOne({ userId }, { projection: { _id: 0, attributes: 1 } }),
  ]);
  // Interactions received up to this are in the features already.
  const folded = (features?.asOf as Date | undefined)?.getTime() ?? -Infinity;

  const dismissed = new Set<string>(dismissedPairs.map((p) => p.ticker as string));
  const category = new Map<string, number>();
  const series = new Map<string, number>();
  const add = (into: Map<string, number>, key: string, mass: number) =>
    into.set(key, (into.get(key) ?? 0) + mass);

  if (features) {
    // Shares times the user's positive mass, decayed from the features' asOf to now.
    const mass =
      (features.activity ?? 0) *
      0.5 ** (Math.max(0, now.getTime() - features.asOf.getTime()) / options.halfLifeMs);
    for (const { key, share } of (features.categoryAffinity ?? []) as AffinityEntry[])
      add(category, key, share * mass);
    for (const { key, share } of (features.seriesAffinity ?? []) as AffinityEntry[])
      add(series, key, share * mass);
  }

  const featureHistory = (features?.recentMarkets ?? []) as string[];
  // What the user recently touched (for affinities and reason titles): open markets from the
  // catalogue in memory when given, the rest in one read.
  const info = new Map<string, MarketFields>();
  const missing: string[] = [];
  for (const ticker of new Set([...recent.map((h) => h.ticker), ...featureHistory])) {
    const open = openMarkets?.get(ticker);
    if (open) info.set(ticker, open);
    else missing.push(ticker);
  }
  if (missing.length > 0) {
    const markets = await coll(store, 'markets')
      .find(
        { ticker: { $in: missing } },
        { projection: { _id: 0, ticker: 1, eventTicker: 1, category: 1, seriesTicker: 1, title: 1 } },
      )
      .toArray();
    for (const m of markets) info.set(m.ticker, m as MarketFields);
  }
  for (const { ticker, type, ts, receivedAt } of recent) {
    if (type === 'dismiss') dismissed.add(ticker);
    if (receivedAt.getTime() <= folded) continue;
    const weight =
      INTERACTION_WEIGHTS[type] * 0.5 ** (Math.max(0, now.getTime() - ts.getTime()) / options.halfLifeMs);
    const market = info.get(ticker);
    if (!market || weight === 0) continue;
    // As in the catalogue, a market without a category is in "Other".
    add(category, (market.category ?? 'Other').toLowerCase(), weight);
    if (market.seriesTicker) add(series, String(market.seriesTicker), weight);
  }

  const history = new Map<string, HistoryEntry>();
  const marketFields = (ticker: string) => {
    const m = info.get(ticker);
    return {
      ...(typeof m?.title === 'string' ? { title: m.title } : {}),
      ...(typeof m?.eventTicker === 'string' ? { eventTicker: m.eventTicker } : {}),
      ...(typeof m?.seriesTicker === 'string' ? { seriesTicker: m.seriesTicker } : {}),
      ...(typeof m?.category === 'string' ? { category: m.category } : {}),
    };
  };
  for (const { ticker, type } of recent) {
    if (INTERACTION_WEIGHTS[type] <= 0) continue;
    const seen = history.get(ticker);
    if (!seen?.type || INTERACTION_WEIGHTS[type] > INTERACTION_WEIGHTS[seen.type])
      history.set(ticker, { ticker, type, ...marketFields(ticker) });
  }
  for (const ticker of featureHistory)
    if (!history.has(ticker)) history.set(ticker, { ticker, ...marketFields(ticker) });

  return {
    userId,
    dismissed,
    categoryAffinity: toShares(category),
    seriesAffinity: toShares(series),
    history: [...history.values()].filter((h) => !dismissed.has(h.ticker)),
    attributes: (userDoc?.attributes ?? {}) as Record<string, unknown>,
    known: Boolean(features || userDoc) || recent.length > 0 || dismissedPairs.length > 0,
  };
}

/** Positive totals normalized to shares; net-negative interest counts as none. */
function toShares(totals: Map<string, number>): Map<string, number> {
  const positive = [...totals].filter(([, v]) => v > 0);
  const sum = positive.reduce((a, [, v]) => a + v, 0);
  return new Map(sum > 0 ? positive.map(([k, v]) => [k, v / sum]) : []);
}
