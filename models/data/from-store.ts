import { INTERACTION_WEIGHTS } from '../../src/domain/interaction-weights.js';
import { INTERACTION_TYPES, type InteractionType } from '../../src/domain/schemas.js';
import { coll, type CollectionSource } from '../../src/domain/collections.js';
import type { InteractionLog, ItemContent } from '../core/types.js';
import { InteractionLogBuilder } from './interaction-log.js';
import {
  marketContentTokens,
  type EventContentSource,
  type MarketContentSource,
  type SeriesContentSource,
} from './market-content.js';

/** Interaction types that say a user is interested (positive weight); impressions, unwatches and dismissals do not. */
export const POSITIVE_TYPES: readonly InteractionType[] = INTERACTION_TYPES.filter(
  (t) => INTERACTION_WEIGHTS[t] > 0,
);

export interface TrainingData {
  /** Positive interactions of the window, weighted by interaction type. */
  log: InteractionLog;
  /** Content tokens per item index of `log` (empty for a market missing from the catalogue). */
  content: ItemContent[];
}

/**
 * The store's positive interactions with `from <= ts < to`, as a log whose weight is the type's
 * weight in INTERACTION_WEIGHTS, plus content for every item of the log from the catalogue. One
 * projected `find` per collection: the embedded store pays per document, not per query.
 */
export async function loadTrainingData(
  store: CollectionSource,
  window: { from?: Date; to: Date },
): Promise<TrainingData> {
  const ts: Record<string, Date> = { $lt: window.to };
  if (window.from) ts.$gte = window.from;
  const builder = new InteractionLogBuilder(1 << 16);
  const cursor = coll(store, 'interactions').find(
    { ts, type: { $in: [...POSITIVE_TYPES] } },
    { projection: { _id: 0, userId: 1, ticker: 1, type: 1, ts: 1 } },
  );
  for await (const doc of cursor) {
    const weight = INTERACTION_WEIGHTS[doc.type];
    if (!(weight > 0)) continue;
    builder.add(doc.userId, doc.ticker, new Date(doc.ts).getTime(), weight);
  }
  const log = builder.build();
  return { log, content: await catalogueContent(store, log.itemIds) };
}

/** Content tokens for each ticker, from the markets, events and series collections. */
export async function catalogueContent(
  store: CollectionSource,
  tickers: readonly string[],
): Promise<ItemContent[]> {
  const wanted = new Set(tickers);
  const markets = new Map<string, MarketContentSource>();
  const marketFields = {
    _id: 0,
    ticker: 1,
    eventTicker: 1,
    seriesTicker: 1,
    title: 1,
    subtitle: 1,
    category: 1,
    tags: 1,
    openTime: 1,
    closeTime: 1,
    lastPrice: 1,
    yesBid: 1,
    yesAsk: 1,
  };
  // The whole catalogue with a projection beats `$in` over thousands of tickers in the embedded store.
  for await (const m of coll(store, 'markets').find({}, { projection: marketFields })) {
    if (wanted.has(m.ticker)) markets.set(m.ticker, m);
  }
  const eventTickers = new Set([...markets.values()].map((m) => m.eventTicker));
  const events = new Map<string, EventContentSource>();
  for await (const e of coll(store, 'events').find(
    {},
    { projection: { _id: 0, eventTicker: 1, seriesTicker: 1, title: 1, category: 1 } },
  )) {
    if (eventTickers.has(e.eventTicker)) events.set(e.eventTicker, e);
  }
  const series = new Map<string, SeriesContentSource>();
  for await (const s of coll(store, 'series').find(
    {},
    { projection: { _id: 0, ticker: 1, category: 1, tags: 1 } },
  )) {
    series.set(s.ticker, s);
  }
  return tickers.map((ticker) => {
    const market = markets.get(ticker);
    if (!market) return [];
    const event = events.get(market.eventTicker);
    const seriesTicker = market.seriesTicker ?? event?.seriesTicker;
    return marketContentTokens(market, event, seriesTicker ? series.get(seriesTicker) : undefined);
  });
}
