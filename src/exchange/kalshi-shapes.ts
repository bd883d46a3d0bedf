import { createHash } from 'node:crypto';
import type { SimEvent, SimSeries } from '../simulator/catalogue.js';
import { quoteCents } from '../simulator/prices.js';
import {
  SETTLEMENT_TIMER_MS,
  midCents,
  volume24h,
  type LiveExchange,
  type MarketLive,
} from './live-exchange.js';

/**
 * The exchange's objects in Kalshi's Trade API v2 shapes, as its public docs define them after the
 * March 2026 fixed-point change: prices as `*_dollars` decimal strings, counts as `*_fp` strings,
 * REST times as RFC 3339 strings, stream times as Unix seconds and milliseconds. Only the deprecated
 * fields a consumer still commonly reads (`title`, `subtitle`, `expiration_time`, event `category`)
 * are kept beside them.
 */

const dollars = (cents: number) => (cents / 100).toFixed(4);
const fp = (count: number) => count.toFixed(2);
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

/** Kalshi's market UUIDs (`market_id` on the stream), derived from the ticker so they are stable. */
export function marketId(ticker: string): string {
  const h = createHash('sha1').update(`sibyl-exchange:${ticker}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Trade ids: UUID-shaped, unique within a run of the exchange. */
export function tradeId(seed: number, n: number): string {
  return marketId(`trade:${seed}:${n}`);
}

const LINEAR_CENT = [{ start: '0.0000', end: '1.0000', step: '0.0100' }];

/** A plain statement of what resolves the market (Kalshi's `rules_primary`). */
function rules(live: MarketLive): string {
  return `If the outcome of "${live.event.title}" is ${live.market.subtitle || live.market.title}, the market resolves to Yes.`;
}

/** `GET /markets` and `GET /markets/{ticker}`: the Market object at the exchange's current time. */
export function kalshiMarket(exchange: LiveExchange, live: MarketLive): Record<string, unknown> {
  const { market } = live;
  const now = exchange.now();
  const trading = live.status === 'active' || live.status === 'inactive';
  const bid = trading ? live.bidCents : 0;
  const ask = trading ? live.askCents : 0;
  const dayAgo = Math.max(market.openMs, now - 86_400_000);
  const previous = quoteCents(midCents(exchange.source, market, dayAgo), market.spreadCents);
  const settled = live.status === 'determined' || live.status === 'finalized';
  return {
    ticker: market.ticker,
    event_ticker: live.event.ticker,
    market_type: 'binary',
    title: market.title,
    subtitle: market.subtitle,
    yes_sub_title: market.subtitle,
    no_sub_title: market.subtitle,
    created_time: rfc3339(live.createdMs),
    updated_time: rfc3339(live.createdMs),
    open_time: rfc3339(market.openMs),
    close_time: rfc3339(live.closeMs),
    expected_expiration_time: rfc3339(live.determinedMs),
    expiration_time: rfc3339(market.expirationMs),
    latest_expiration_time: rfc3339(Math.max(market.expirationMs, live.determinedMs)),
    settlement_timer_seconds: SETTLEMENT_TIMER_MS / 1000,
    status: live.status,
    yes_bid_dollars: dollars(bid),
    yes_bid_size_fp: fp(trading ? bookSize(live, 'bid') : 0),
    yes_ask_dollars: dollars(ask),
    yes_ask_size_fp: fp(trading ? bookSize(live, 'ask') : 0),
    no_bid_dollars: dollars(trading ? 100 - ask : 0),
    no_ask_dollars: dollars(trading ? 100 - bid : 0),
    last_price_dollars: dollars(live.lastCents),
    volume_fp: fp(live.volume),
    volume_24h_fp: fp(volume24h(live, now)),
    result: settled ? live.result! : '',
    can_close_early: true,
    open_interest_fp: fp(live.status === 'finalized' ? 0 : live.openInterest),
    notional_value_dollars: '1.0000',
    previous_yes_bid_dollars: dollars(previous.bid),
    previous_yes_ask_dollars: dollars(previous.ask),
    previous_price_dollars: dollars(midCents(exchange.source, market, dayAgo)),
    ...(settled ? { settlement_value_dollars: live.result === 'yes' ? '1.0000' : '0.0000' } : {}),
    ...(live.status === 'finalized' ? { settlement_ts: rfc3339(live.settledMs) } : {}),
    settlement_bounds_type: 'default',
    expiration_value: '',
    rules_primary: rules(live),
    rules_secondary: '',
    price_level_structure: 'linear_cent',
    price_ranges: LINEAR_CENT,
    exchange_index: 0,
  };
}

/** Resting size at the best price: deeper books on the markets with more attention. */
function bookSize(live: MarketLive, side: 'bid' | 'ask'): number {
  const base = Math.round(40 * live.market.appeal * live.market.liquidityScale);
  return Math.max(1, side === 'bid' ? base : Math.round(base * 0.8));
}

/** `GET /events`: the EventData object, with its markets when asked for. */
export function kalshiEvent(
  exchange: LiveExchange,
  event: SimEvent,
  markets?: MarketLive[],
): Record<string, unknown> {
  const series = exchange.source.series[event.series]!;
  const lives = event.markets.map((i) => exchange.markets.get(exchange.source.markets[i]!.ticker)!);
  return {
    event_ticker: event.ticker,
    series_ticker: series.template.ticker,
    sub_title: event.subtitle,
    title: event.title,
    collateral_return_type: event.mutuallyExclusive ? 'MECNET' : '',
    mutually_exclusive: event.mutuallyExclusive,
    category: series.template.category,
    strike_date: rfc3339(Math.max(...lives.map((l) => l.market.closeMs))),
    settlement_sources: [],
    last_updated_ts: rfc3339(Math.min(...lives.map((l) => l.createdMs))),
    exchange_index: 0,
    ...(markets ? { markets: markets.map((live) => kalshiMarket(exchange, live)) } : {}),
  };
}

/** `GET /series`: the Series object. */
export function kalshiSeries(series: SimSeries): Record<string, unknown> {
  const t = series.template;
  return {
    ticker: t.ticker,
    frequency: t.frequency,
    title: t.title,
    category: t.category,
    categories: [t.category],
    tags: t.tags,
    settlement_sources: [],
    contract_url: '',
    contract_terms_url: '',
    fee_type: 'quadratic',
    fee_multiplier: 1,
    additional_prohibitions: [],
    exchange_index: 0,
  };
}

/** The `ticker` channel's message body. */
export function tickerMessage(live: MarketLive, ms: number): Record<string, unknown> {
  const trading = live.status === 'active' || live.status === 'inactive';
  return {
    market_id: marketId(live.market.ticker),
    market_ticker: live.market.ticker,
    price_dollars: dollars(live.lastCents),
    yes_bid_dollars: dollars(trading ? live.bidCents : 0),
    yes_ask_dollars: dollars(trading ? live.askCents : 0),
    volume_fp: fp(live.volume),
    open_interest_fp: fp(live.status === 'finalized' ? 0 : live.openInterest),
    dollar_volume: Math.round((live.volume * live.lastCents) / 100),
    dollar_open_interest: Math.round((live.openInterest * live.lastCents) / 100),
    yes_bid_size_fp: fp(trading ? bookSize(live, 'bid') : 0),
    yes_ask_size_fp: fp(trading ? bookSize(live, 'ask') : 0),
    last_trade_size_fp: fp(live.lastTradeSize),
    ts: seconds(ms),
    ts_ms: ms,
    time: rfc3339(Math.floor(ms / 1000) * 1000),
  };
}

/** The `trade` channel's message body. */
export function tradeMessage(
  live: MarketLive,
  trade: { ms: number; count: number; takerSide: 'yes' | 'no'; yesCents: number },
  id: string,
): Record<string, unknown> {
  return {
    trade_id: id,
    market_ticker: live.market.ticker,
    yes_price_dollars: dollars(trade.yesCents),
    no_price_dollars: dollars(100 - trade.yesCents),
    count_fp: fp(trade.count),
    taker_side: trade.takerSide,
    taker_outcome_side: trade.takerSide,
    taker_book_side: trade.takerSide === 'yes' ? 'bid' : 'ask',
    is_block_trade: false,
    ts: seconds(trade.ms),
    ts_ms: trade.ms,
  };
}

export type LifecycleType =
  'created' | 'deactivated' | 'activated' | 'close_date_updated' | 'determined' | 'settled';

/** The `market_lifecycle_v2` message body for one transition. */
export function lifecycleMessage(
  exchange: LiveExchange,
  live: MarketLive,
  type: LifecycleType,
  ms: number,
): Record<string, unknown> {
  const { market } = live;
  const base = { market_ticker: market.ticker, event_type: type };
  switch (type) {
    case 'created':
      return {
        ...base,
        exchange_index: 0,
        open_ts: seconds(market.openMs),
        close_ts: seconds(live.closeMs),
        additional_metadata: {
          name: live.event.title,
          title: market.title,
          yes_sub_title: market.subtitle,
          no_sub_title: market.subtitle,
          rules_primary: rules(live),
          rules_secondary: '',
          can_close_early: true,
          event_ticker: live.event.ticker,
          expected_expiration_ts: seconds(live.determinedMs),
        },
        price_level_structure: 'linear_cent',
        price_ranges: LINEAR_CENT,
      };
    case 'deactivated':
    case 'activated':
      return { ...base, is_deactivated: type === 'deactivated' };
    case 'close_date_updated':
      return { ...base, close_ts: seconds(live.closeMs) };
    case 'determined':
      return {
        ...base,
        result: live.result,
        determination_ts: seconds(ms),
        settlement_value: live.result === 'yes' ? '1.0000' : '0.0000',
      };
    case 'settled':
      return { ...base, settled_ts: seconds(ms) };
  }
}

/** The `event_lifecycle` message body (on the lifecycle channel) when an event is listed. */
export function eventLifecycleMessage(exchange: LiveExchange, event: SimEvent): Record<string, unknown> {
  const series = exchange.source.series[event.series]!;
  const close = Math.max(...event.markets.map((i) => exchange.source.markets[i]!.closeMs));
  return {
    event_ticker: event.ticker,
    exchange_index: 0,
    title: event.title,
    subtitle: event.subtitle,
    collateral_return_type: event.mutuallyExclusive ? 'MECNET' : '',
    series_ticker: series.template.ticker,
    strike_date: seconds(close),
  };
}
