import type { MarketStatus } from '../domain/schemas.js';
import type { MarketDoc } from '../domain/documents.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import type { CatalogueMarket } from './catalogue/market-catalogue.js';

/**
 * What a market card shows, the same in feeds, trending lists and `GET /v1/markets/{ticker}`.
 * Absent values are null (never missing), so clients need one check, not two.
 */
export interface MarketCard {
  ticker: string;
  eventTicker: string;
  seriesTicker: string | null;
  title: string;
  /** The outcome (Kalshi's yes_sub_title), e.g. "Above 4.25%". */
  subtitle: string | null;
  eventTitle: string | null;
  seriesTitle: string | null;
  category: string;
  status: MarketStatus;
  /** Quotes as Kalshi writes them: decimal dollar strings ("0.4200"); null before the exchange sent one. */
  yesBid: string | null;
  yesAsk: string | null;
  lastPrice: string | null;
  closeTime: string;
  /** Contracts traded in the last 24 hours. */
  volume24h: number;
}

/** A price in dollars as a Kalshi-style decimal string, or null. */
export const dollars = (price: number | undefined): string | null =>
  price === undefined ? null : price.toFixed(4);

export function cardOf(m: CatalogueMarket): MarketCard {
  return {
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    seriesTicker: m.seriesTicker ?? null,
    title: m.title,
    subtitle: m.subtitle ?? null,
    eventTitle: m.eventTitle ?? null,
    seriesTitle: m.seriesTitle ?? null,
    category: m.category,
    status: m.status,
    yesBid: dollars(m.yesBid),
    yesAsk: dollars(m.yesAsk),
    lastPrice: dollars(m.lastPrice),
    closeTime: m.closeTime.toISOString(),
    volume24h: m.volume24h,
  };
}

/** `GET /v1/markets/{ticker}`: the card plus the market's other times and counts. */
export interface MarketDetails extends MarketCard {
  openTime: string | null;
  expirationTime: string | null;
  volume: number | null;
  openInterest: number | null;
}

/**
 * One market in any status (a card may show one that closed or settled), read from the store with
 * its event's and series' titles; undefined when the store does not know it.
 */
export async function marketDetails(store: Store, ticker: string): Promise<MarketDetails | undefined> {
  const market = await coll(store, 'markets').findOne({ ticker }, { projection: { _id: 0 } });
  if (!market) return undefined;
  const event = await coll(store, 'events').findOne(
    { eventTicker: market.eventTicker },
    { projection: { _id: 0, title: 1, seriesTicker: 1, category: 1 } },
  );
  const seriesTicker = market.seriesTicker ?? event?.seriesTicker;
  const series = seriesTicker
    ? await coll(store, 'series').findOne(
        { ticker: seriesTicker },
        { projection: { _id: 0, title: 1, category: 1 } },
      )
    : null;
  return detailsOf(market, {
    seriesTicker,
    eventTitle: event?.title,
    seriesTitle: series?.title,
    category: market.category ?? event?.category ?? series?.category,
  });
}

function detailsOf(
  m: MarketDoc,
  related: { seriesTicker?: string; eventTitle?: string; seriesTitle?: string; category?: string },
): MarketDetails {
  const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
  return {
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    seriesTicker: related.seriesTicker ?? null,
    title: m.title,
    subtitle: m.subtitle ?? null,
    eventTitle: related.eventTitle ?? null,
    seriesTitle: related.seriesTitle ?? null,
    // As the catalogue files it.
    category: related.category ?? 'Other',
    status: m.status,
    yesBid: dollars(m.yesBid),
    yesAsk: dollars(m.yesAsk),
    lastPrice: dollars(m.lastPrice),
    openTime: iso(m.openTime),
    closeTime: m.closeTime.toISOString(),
    expirationTime: iso(m.expirationTime),
    volume: m.volume ?? null,
    volume24h: m.volume24h ?? 0,
    openInterest: m.openInterest ?? null,
  };
}
