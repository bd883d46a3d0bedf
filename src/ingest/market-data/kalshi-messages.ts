import { z } from 'zod';
import type { MarketStatus } from '../../domain/schemas.js';

/**
 * Kalshi's market-data WebSocket messages, as far as Sibyl reads them: the envelope (`type`, `sid`,
 * `seq`, `msg`), `market_lifecycle_v2`, `event_lifecycle` and `ticker`. Unknown fields are ignored
 * and unknown message types passed over, so a richer exchange never breaks the consumer.
 */

export const envelope = z.object({
  type: z.string(),
  id: z.number().optional(),
  sid: z.number().int().optional(),
  seq: z.number().int().optional(),
  msg: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelope>;

/** Fixed-point dollars ("0.5600") as a number of dollars. */
const dollars = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number)
  .refine((n) => n <= 1, 'a price is at most 1 dollar');
/** Fixed-point counts ("136.00") as a number. */
const count = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);
const unixSeconds = z
  .number()
  .int()
  .nonnegative()
  .transform((s) => new Date(s * 1000));
const ticker = z.string().min(1).max(128);

export const lifecycleMessage = z.object({
  market_ticker: ticker,
  event_type: z.string(),
  open_ts: unixSeconds.optional(),
  close_ts: unixSeconds.optional(),
  determination_ts: unixSeconds.optional(),
  settled_ts: unixSeconds.optional(),
  result: z.string().optional(),
  settlement_value: dollars.optional(),
  is_deactivated: z.boolean().optional(),
  additional_metadata: z
    .object({
      name: z.string().optional(),
      title: z.string().optional(),
      yes_sub_title: z.string().optional(),
      event_ticker: ticker,
      expected_expiration_ts: unixSeconds.optional(),
    })
    .optional(),
});
export type LifecycleMessage = z.infer<typeof lifecycleMessage>;

export const eventLifecycleMessage = z.object({
  event_ticker: ticker,
  series_ticker: ticker,
  title: z.string().min(1),
  subtitle: z.string().optional(),
  collateral_return_type: z.string().optional(),
});
export type EventLifecycleMessage = z.infer<typeof eventLifecycleMessage>;

export const tickerMessage = z.object({
  market_ticker: ticker,
  price_dollars: dollars.optional(),
  yes_bid_dollars: dollars.optional(),
  yes_ask_dollars: dollars.optional(),
  volume_fp: count.optional(),
  open_interest_fp: count.optional(),
  ts_ms: z.number().optional(),
});
export type TickerMessage = z.infer<typeof tickerMessage>;

/** A change a lifecycle message makes to a stored market (beyond its creation). */
export interface MarketUpdate {
  ticker: string;
  status?: MarketStatus;
  closeTime?: Date;
  lastPrice?: number;
}

/**
 * What a lifecycle transition means for Sibyl's market: a pause or resume, a close date moved (a
 * market closed early closes now), a result (determined and settled both count as settled: an
 * outcome is known, so the market is never recommended again). `created` is handled apart (it
 * lists a market); other types change nothing Sibyl keeps.
 */
export function lifecycleUpdate(m: LifecycleMessage, now: Date): MarketUpdate | undefined {
  switch (m.event_type) {
    case 'deactivated':
      return { ticker: m.market_ticker, status: 'paused' };
    case 'activated':
      return { ticker: m.market_ticker, status: 'open' };
    case 'close_date_updated':
      if (!m.close_ts) return undefined;
      return {
        ticker: m.market_ticker,
        closeTime: m.close_ts,
        ...(m.close_ts <= now ? { status: 'closed' as const } : {}),
      };
    case 'determined':
    case 'settled':
      return {
        ticker: m.market_ticker,
        status: 'settled',
        ...(m.settlement_value !== undefined ? { lastPrice: m.settlement_value } : {}),
      };
    default:
      return undefined;
  }
}

/**
 * A `created` message as a market in Sibyl's input shape (wire form, for the same validation as any).
 * An empty `title` is left out, with the outcome (`yes_sub_title`) as subtitle: like a market from
 * the REST API or an import, it takes its event's title (titlesFromEvents) before it is written.
 */
export function createdMarket(m: LifecycleMessage, now: Date): Record<string, unknown> | undefined {
  const meta = m.additional_metadata;
  if (m.event_type !== 'created' || !meta || !m.close_ts) return undefined;
  const title = meta.title || (meta.yes_sub_title ? undefined : meta.name);
  return {
    ticker: m.market_ticker,
    eventTicker: meta.event_ticker,
    ...(title ? { title } : {}),
    ...(meta.yes_sub_title && meta.yes_sub_title !== title ? { subtitle: meta.yes_sub_title } : {}),
    status: m.open_ts && m.open_ts > now ? 'unopened' : m.close_ts <= now ? 'closed' : 'open',
    ...(m.open_ts ? { openTime: m.open_ts.toISOString() } : {}),
    closeTime: m.close_ts.toISOString(),
    ...(meta.expected_expiration_ts ? { expirationTime: meta.expected_expiration_ts.toISOString() } : {}),
  };
}

/** A ticker message as the price and activity fields it updates. */
export function quoteUpdate(m: TickerMessage): {
  ticker: string;
  yesBid?: number;
  yesAsk?: number;
  lastPrice?: number;
  volume?: number;
  openInterest?: number;
} {
  return {
    ticker: m.market_ticker,
    ...(m.yes_bid_dollars !== undefined ? { yesBid: m.yes_bid_dollars } : {}),
    ...(m.yes_ask_dollars !== undefined ? { yesAsk: m.yes_ask_dollars } : {}),
    ...(m.price_dollars !== undefined ? { lastPrice: m.price_dollars } : {}),
    ...(m.volume_fp !== undefined ? { volume: m.volume_fp } : {}),
    ...(m.open_interest_fp !== undefined ? { openInterest: m.open_interest_fp } : {}),
  };
}
