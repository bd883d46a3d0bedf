/**
 * What a feed stream pushes (docs/streams.md; /asyncapi.json). Every event carries the `seq` of
 * its subscription's log (user and feed), so a client that reconnects resumes after the last one
 * it saw; `reset` says the log no longer reaches back that far (fetch the feed again).
 */
export type PushEvent = MarketClosed | PriceMoved | NewMatch | FeedChanged | Reset;

interface Base {
  seq: number;
  feedId: string;
}

/** A market on the pages served to the subscriber left the catalogue: remove its card. */
export interface MarketClosed extends Base {
  type: 'market_closed';
  ticker: string;
  /** Its status now: closed, paused, settled… */
  status: string;
}

/** A market on the served pages moved by at least FEED_PUSH_PRICE_CENTS since served (or last pushed). */
export interface PriceMoved extends Base {
  type: 'price_moved';
  ticker: string;
  /** Dollars, Kalshi-style decimal strings ("0.4200"). */
  from: string;
  to: string;
}

/** A newly listed market would rank in the subscriber's top FEED_PUSH_TOP_K now. */
export interface NewMatch extends Base {
  type: 'new_match';
  ticker: string;
  /** 1-based rank it would take in a fresh feed. */
  rank: number;
  item: {
    ticker: string;
    eventTicker: string;
    title: string;
    category: string;
    price: string | null;
    closeTime: string;
    score: number;
    reasons: string[];
  };
}

/** A fresh first page differs materially from the served one (at most once per FEED_PUSH_MIN_SECONDS). */
export interface FeedChanged extends Base {
  type: 'feed_changed';
  /** 0-based positions of the first page whose market changed. */
  positions: number[];
  /** The fresh first page's tickers, in order. */
  tickers: string[];
}

/** Resuming is impossible (the log was trimmed or lost): fetch the feed again; `seq` is where the log is now. */
export interface Reset extends Base {
  type: 'reset';
  reason: 'too_old' | 'unknown_seq';
}

/** An event before the log numbers it. */
export type UnnumberedEvent = PushEvent extends infer E
  ? E extends PushEvent
    ? Omit<E, 'seq'>
    : never
  : never;

/** A price in dollars as a Kalshi-style decimal string, or null when not quoted. */
export const dollarString = (price: number): string | null => (Number.isNaN(price) ? null : price.toFixed(4));

/**
 * Which earlier event a new one would repeat: two replicas watching the same feed (a client that
 * reconnected elsewhere while the old replica still watches) compute the same events, and the log
 * keeps one. `slot` groups events about the same thing; an event equal to its slot's latest is a
 * repeat (a price going 50→60→50→60¢ is three moves, not one repeated).
 */
export function eventIdentity(event: UnnumberedEvent): { slot: string; identity: string } {
  switch (event.type) {
    case 'market_closed':
      return { slot: `closed:${event.ticker}`, identity: event.status };
    case 'price_moved':
      return { slot: `price:${event.ticker}`, identity: `${event.from}>${event.to}` };
    case 'new_match':
      return { slot: `match:${event.ticker}`, identity: '1' };
    case 'feed_changed':
      return { slot: 'changed', identity: event.tickers.join(' ') };
    case 'reset':
      return { slot: 'reset', identity: event.reason };
  }
}
