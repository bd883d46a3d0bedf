import type { ItemContent } from '../core/types.js';

/** The market fields content is made of (a stored market document or an API input both fit). */
export interface MarketContentSource {
  ticker: string;
  eventTicker: string;
  seriesTicker?: string | undefined;
  title: string;
  subtitle?: string | undefined;
  category?: string | undefined;
  tags?: readonly string[] | undefined;
  openTime?: Date | string | number | undefined;
  closeTime?: Date | string | number | undefined;
  lastPrice?: number | undefined;
  yesBid?: number | undefined;
  yesAsk?: number | undefined;
}

export interface EventContentSource {
  seriesTicker?: string | undefined;
  title?: string | undefined;
  category?: string | undefined;
}

export interface SeriesContentSource {
  category?: string | undefined;
  tags?: readonly string[] | undefined;
}

/** Words too common in market titles to say anything about a market. */
const STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'will',
  'with',
  'what',
  'which',
  'who',
  'how',
  'when',
  'this',
  'that',
  'than',
  'from',
  'into',
  'are',
  'was',
  'were',
  'not',
  'any',
  'all',
  'its',
  'has',
  'have',
  'been',
  'does',
  'did',
  'more',
  'less',
  'after',
  'before',
  'end',
]);

const PRICE_BUCKETS = 10;
const MAX_DURATION_BUCKET = 12;
const HOUR_MS = 3_600_000;

/**
 * A market's content tokens, the vocabulary the two-tower's market tower, the category-affinity
 * baseline and the feed share:
 * - `category:<c>` (market, else event, else series category), `series:<ticker>`, `event:<ticker>`
 * - `tag:<t>` for the series' tags and the market's own
 * - `title:<word>` for lowercase alphanumeric words of 3+ characters in the market title, market
 *   subtitle and event title, minus a short stop-word list
 * - `price:<0..9>`: the yes last price in dollars in buckets of 0.1 (the bid/ask midpoint when the
 *   market has not traded)
 * - `duration:<0..12>`: floor(log2(hours between open and close)), clamped
 * Tokens are unique, in that order.
 */
export function marketContentTokens(
  market: MarketContentSource,
  event?: EventContentSource | null,
  series?: SeriesContentSource | null,
): ItemContent {
  const tokens = new Set<string>();
  const category = market.category ?? event?.category ?? series?.category;
  if (category) tokens.add(`category:${category}`);
  const seriesTicker = market.seriesTicker ?? event?.seriesTicker;
  if (seriesTicker) tokens.add(`series:${seriesTicker}`);
  tokens.add(`event:${market.eventTicker}`);
  for (const tag of series?.tags ?? []) tokens.add(`tag:${tag}`);
  for (const tag of market.tags ?? []) tokens.add(`tag:${tag}`);
  for (const text of [market.title, market.subtitle, event?.title]) {
    if (!text) continue;
    for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
      if (word.length >= 3 && !STOP_WORDS.has(word)) tokens.add(`title:${word}`);
    }
  }
  const price = priceOf(market);
  if (price !== undefined) {
    const bucket = Math.min(PRICE_BUCKETS - 1, Math.max(0, Math.floor(price * PRICE_BUCKETS)));
    tokens.add(`price:${bucket}`);
  }
  const open = timeOf(market.openTime);
  const close = timeOf(market.closeTime);
  if (open !== undefined && close !== undefined && close > open) {
    const hours = (close - open) / HOUR_MS;
    const bucket = Math.min(MAX_DURATION_BUCKET, Math.max(0, Math.floor(Math.log2(hours))));
    tokens.add(`duration:${bucket}`);
  }
  return [...tokens];
}

function priceOf(market: MarketContentSource): number | undefined {
  if (market.lastPrice !== undefined && Number.isFinite(market.lastPrice)) return market.lastPrice;
  if (market.yesBid !== undefined && market.yesAsk !== undefined) return (market.yesBid + market.yesAsk) / 2;
  return undefined;
}

function timeOf(t: Date | string | number | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
