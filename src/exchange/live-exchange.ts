import { attention } from '../simulator/attention.js';
import { HOUR_MS } from '../simulator/calendar.js';
import type { Catalogue, SimEvent, SimMarket } from '../simulator/catalogue.js';
import { quoteCents } from '../simulator/prices.js';
import { VOLUME_PER_ATTENTION } from '../simulator/records.js';
import { Rng } from '../util/rng.js';
import type { ExchangeClock } from './clock.js';

/**
 * The simulated exchange run forward in time: the seeded catalogue's markets are listed, open,
 * trade, pause, close, are determined and settle as the clock passes their times, and each step
 * reports what changed, in time order, for the stream and the REST views.
 *
 * Lifecycle, as Kalshi documents it (initialized → active → closed → determined → finalized, with
 * inactive for a paused market): listing, pausing and resuming, an early close, determination and
 * settlement are announced; opening and closing on schedule are not (clients know the times).
 */

/** Kalshi's market states. */
export type KalshiStatus = 'initialized' | 'active' | 'inactive' | 'closed' | 'determined' | 'finalized';

/** How long before it opens a market is listed (as the simulator's snapshot lists them). */
export const LISTING_LEAD_MS = 36 * HOUR_MS;
/** From determination to settlement (Kalshi's settlement timer). */
export const SETTLEMENT_TIMER_MS = 30 * 60_000;
/** A market closed early is determined this long after. */
const EARLY_DETERMINATION_MS = 60_000;
/** Contracts per trade on average (lognormal sizes). */
const MEAN_TRADE = 18;
/** Share of markets that are paused once during their life, for 10 to 60 minutes. */
const PAUSE_SHARE = 0.02;

export interface MarketLive {
  market: SimMarket;
  event: SimEvent;
  createdMs: number;
  closeMs: number;
  determinedMs: number;
  settledMs: number;
  /** Intervals during which trading is halted (the last one may be open-ended). */
  pauses: { from: number; to: number }[];
  status: KalshiStatus;
  bidCents: number;
  askCents: number;
  lastCents: number;
  /** Size of the latest trade (0 before any). */
  lastTradeSize: number;
  volume: number;
  openInterest: number;
  /** Contracts traded per hour, for the last 24 hours: [hour, contracts] oldest first. */
  hourly: [number, number][];
  result?: 'yes' | 'no';
  listed: boolean;
  /** The hour whose trades are loaded, and the next of them to replay. */
  trades: { hour: number; list: SimTrade[]; next: number };
}

export interface SimTrade {
  ms: number;
  count: number;
  takerSide: 'yes' | 'no';
  yesCents: number;
}

export type ExchangeChange =
  | { kind: 'event_created'; ms: number; event: SimEvent }
  | { kind: 'created'; ms: number; live: MarketLive }
  | { kind: 'deactivated' | 'activated'; ms: number; live: MarketLive }
  | { kind: 'close_date_updated'; ms: number; live: MarketLive }
  | { kind: 'determined'; ms: number; live: MarketLive }
  | { kind: 'settled'; ms: number; live: MarketLive }
  | { kind: 'trade'; ms: number; live: MarketLive; trade: SimTrade; id: number }
  | { kind: 'ticker'; ms: number; live: MarketLive };

export class LiveExchange {
  /** Every market of the catalogue, by ticker. */
  readonly markets = new Map<string, MarketLive>();
  /** Markets in listing order, and how many of them are listed. */
  private readonly byListing: MarketLive[];
  private listedCount = 0;
  /** Listed markets not settled yet: the ones a step looks at. */
  private alive: MarketLive[] = [];
  private readonly announcedEvents = new Set<number>();
  private readonly pending: ExchangeChange[] = [];
  private at: number;
  private tradeIds = 0;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly seed: number,
    private readonly clock: ExchangeClock,
  ) {
    this.at = clock.now();
    for (const market of catalogue.markets) {
      const live = initialState(catalogue, seed, market, this.at);
      this.markets.set(market.ticker, live);
    }
    this.byListing = [...this.markets.values()].sort(
      (a, b) => a.createdMs - b.createdMs || a.market.index - b.market.index,
    );
    // What was listed before the exchange started is there from the start, unannounced.
    while (
      this.listedCount < this.byListing.length &&
      this.byListing[this.listedCount]!.createdMs <= this.at
    ) {
      const live = this.byListing[this.listedCount++]!;
      live.listed = true;
      this.announcedEvents.add(live.market.event);
      if (live.status !== 'finalized') this.alive.push(live);
    }
  }

  now(): number {
    return this.at;
  }

  /** The catalogue's event of a market, series and all. */
  get source(): Catalogue {
    return this.catalogue;
  }

  /** Listed markets (all states), in listing order. */
  listed(): MarketLive[] {
    return this.byListing.slice(0, this.listedCount);
  }

  /**
   * Moves to the clock's time and returns what changed since the previous step (and any control
   * action meanwhile), in time order.
   */
  step(): ExchangeChange[] {
    const from = this.at;
    const to = Math.max(from, this.clock.now());
    const out = this.pending.splice(0);
    while (this.listedCount < this.byListing.length && this.byListing[this.listedCount]!.createdMs <= to) {
      const live = this.byListing[this.listedCount++]!;
      live.listed = true;
      if (!this.announcedEvents.has(live.market.event)) {
        this.announcedEvents.add(live.market.event);
        out.push({ kind: 'event_created', ms: live.createdMs, event: live.event });
      }
      out.push({ kind: 'created', ms: live.createdMs, live });
      this.alive.push(live);
    }
    for (const live of this.alive) this.advanceMarket(live, from, to, out);
    this.alive = this.alive.filter((live) => live.status !== 'finalized');
    this.at = to;
    return out.sort((a, b) => a.ms - b.ms);
  }

  /** Closes a market now, ahead of its schedule (`close_date_updated`); it is determined a minute later. */
  closeEarly(ticker: string): MarketLive {
    const live = this.require(ticker);
    const now = this.clock.now();
    if (now >= live.closeMs) return live;
    live.closeMs = now;
    live.determinedMs = now + EARLY_DETERMINATION_MS;
    live.settledMs = live.determinedMs + SETTLEMENT_TIMER_MS;
    live.result = midCents(this.catalogue, live.market, now) >= 50 ? 'yes' : 'no';
    this.pending.push({ kind: 'close_date_updated', ms: now, live });
    return live;
  }

  /** Halts trading until `resume` (`deactivated`). */
  pause(ticker: string): MarketLive {
    const live = this.require(ticker);
    live.pauses.push({ from: this.clock.now(), to: Infinity });
    return live;
  }

  /** Ends the market's open pause (`activated`). */
  resume(ticker: string): MarketLive {
    const live = this.require(ticker);
    const open = live.pauses.find((p) => p.to === Infinity);
    if (open) open.to = Math.max(open.from, this.clock.now());
    return live;
  }

  private require(ticker: string): MarketLive {
    const live = this.markets.get(ticker);
    if (!live?.listed) throw new UnknownMarketError(ticker);
    return live;
  }

  private advanceMarket(live: MarketLive, from: number, to: number, out: ExchangeChange[]): void {
    const before = live.status;
    const after = statusAt(live, to);
    if (before === 'active' || after === 'active' || before === 'inactive') this.trade(live, from, to, out);
    if (after === before) return;
    live.status = after;
    const ms = Math.max(from, Math.min(to, transitionTime(live, after, to)));
    if (after === 'inactive') out.push({ kind: 'deactivated', ms, live });
    else if (after === 'active' && before === 'inactive') out.push({ kind: 'activated', ms, live });
    else if (after === 'determined') out.push({ kind: 'determined', ms, live });
    else if (after === 'finalized') {
      if (before !== 'determined') out.push({ kind: 'determined', ms: live.determinedMs, live });
      out.push({ kind: 'settled', ms, live });
    }
    if (after === 'closed' || after === 'determined' || after === 'finalized') {
      live.result ??= (live.market.finalCents ?? live.lastCents) >= 50 ? 'yes' : 'no';
      out.push({ kind: 'ticker', ms, live });
    }
  }

  /** Replays the market's trades in (from, to] while it trades, and quotes it at `to`. */
  private trade(live: MarketLive, from: number, to: number, out: ExchangeChange[]): void {
    const { market } = live;
    const tradingEnd = Math.min(to, live.closeMs);
    let changed = false;
    for (let hour = Math.floor(from / HOUR_MS); hour * HOUR_MS < tradingEnd; hour++) {
      if (live.trades.hour !== hour) live.trades = { hour, list: tradesOf(this, live, hour), next: 0 };
      const { list } = live.trades;
      while (live.trades.next < list.length && list[live.trades.next]!.ms <= tradingEnd) {
        const trade = list[live.trades.next++]!;
        if (trade.ms <= from || isPaused(live, trade.ms) || trade.ms < market.openMs) continue;
        live.lastCents = trade.yesCents;
        live.lastTradeSize = trade.count;
        live.volume += trade.count;
        live.openInterest += Math.round(trade.count * market.openInterestShare);
        addHourly(live, hour, trade.count);
        out.push({ kind: 'trade', ms: trade.ms, live, trade, id: ++this.tradeIds });
        changed = true;
      }
    }
    if (to < live.closeMs && to >= market.openMs) {
      const { bid, ask } = quoteCents(midCents(this.catalogue, market, to), market.spreadCents);
      if (bid !== live.bidCents || ask !== live.askCents) changed = true;
      live.bidCents = bid;
      live.askCents = ask;
    }
    if (changed) out.push({ kind: 'ticker', ms: to, live });
  }

  /** The seed, for streams keyed by it (trades). */
  get seedValue(): number {
    return this.seed;
  }
}

export class UnknownMarketError extends Error {
  constructor(readonly ticker: string) {
    super(`no listed market ${ticker}`);
  }
}

/** Contracts traded in the 24 hours to `ms`. */
export function volume24h(live: MarketLive, ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let sum = 0;
  for (const [h, v] of live.hourly) if (h > hour - 24) sum += v;
  return sum;
}

export function statusAt(live: MarketLive, ms: number): KalshiStatus {
  if (ms < live.market.openMs) return 'initialized';
  if (ms < live.closeMs) return isPaused(live, ms) ? 'inactive' : 'active';
  if (ms < live.determinedMs) return 'closed';
  if (ms < live.settledMs) return 'determined';
  return 'finalized';
}

function isPaused(live: MarketLive, ms: number): boolean {
  return live.pauses.some((p) => p.from <= ms && ms < p.to);
}

/** When the market entered `status`, found at a step ending at `to`. */
function transitionTime(live: MarketLive, status: KalshiStatus, to: number): number {
  switch (status) {
    case 'inactive':
      return live.pauses.findLast((p) => p.from <= to)?.from ?? to;
    case 'active':
      return Math.max(live.market.openMs, live.pauses.findLast((p) => p.to <= to)?.to ?? 0);
    case 'closed':
      return live.closeMs;
    case 'determined':
      return live.determinedMs;
    case 'finalized':
      return live.settledMs;
    default:
      return live.createdMs;
  }
}

/** The market's mid price at `ms`: its hourly path, interpolated within the hour, in cents. */
export function midCents(cat: Catalogue, m: SimMarket, ms: number): number {
  const x = (ms - cat.startMs) / HOUR_MS - m.openHour;
  const last = m.cents.length - 1;
  if (x <= 0 || last <= 0) return m.cents[0] ?? 50;
  const k = Math.min(last, Math.floor(x));
  const next = m.cents[Math.min(last, k + 1)]!;
  return Math.round(m.cents[k]! + (next - m.cents[k]!) * (x - Math.floor(x)));
}

function addHourly(live: MarketLive, hour: number, contracts: number): void {
  const lastEntry = live.hourly.at(-1);
  if (lastEntry && lastEntry[0] === hour) lastEntry[1] += contracts;
  else live.hourly.push([hour, contracts]);
  while (live.hourly.length > 25) live.hourly.shift();
}

/**
 * One hour's trades of a market, the same whenever they are asked for: Poisson in number around the
 * volume its attention brings, sizes lognormal, the taker mostly on the side the price favours.
 */
function tradesOf(exchange: LiveExchange, live: MarketLive, hour: number): SimTrade[] {
  const cat = exchange.source;
  const m = live.market;
  const catalogueHour = hour - Math.round(cat.startMs / HOUR_MS);
  if (catalogueHour < m.openHour || catalogueHour - m.openHour >= m.cents.length) return [];
  const rng = Rng.of(exchange.seedValue, 'trades', m.ticker, hour);
  const expected = (VOLUME_PER_ATTENTION * attention(cat, m, catalogueHour)) / MEAN_TRADE;
  const n = rng.poisson(expected);
  const trades: SimTrade[] = [];
  for (let i = 0; i < n; i++) {
    const ms = hour * HOUR_MS + rng.int(HOUR_MS);
    const { bid, ask } = quoteCents(midCents(cat, m, ms), m.spreadCents);
    const takerSide = rng.chance(midCents(cat, m, ms) / 100) ? 'yes' : 'no';
    trades.push({
      ms,
      count: Math.max(1, Math.round(rng.lognormal(Math.log(MEAN_TRADE * 0.6), 0.9))),
      takerSide,
      yesCents: takerSide === 'yes' ? ask : bid,
    });
  }
  return trades.sort((a, b) => a.ms - b.ms);
}

/** A market's state when the exchange starts at `now`: what its history up to then adds up to. */
function initialState(cat: Catalogue, seed: number, market: SimMarket, now: number): MarketLive {
  const createdMs = Math.max(cat.startMs, market.openMs - LISTING_LEAD_MS);
  const determinedMs = market.expirationMs;
  const live: MarketLive = {
    market,
    event: cat.events[market.event]!,
    createdMs,
    closeMs: market.closeMs,
    determinedMs,
    settledMs: determinedMs + SETTLEMENT_TIMER_MS,
    pauses: scheduledPauses(seed, market),
    status: 'initialized',
    bidCents: 0,
    askCents: 0,
    lastCents: 0,
    lastTradeSize: 0,
    volume: 0,
    openInterest: 0,
    hourly: [],
    listed: false,
    // Loaded hour by hour as the exchange runs; trades before its start are history.
    trades: { hour: -1, list: [], next: 0 },
  };
  const mid = midCents(cat, market, Math.min(now, market.closeMs));
  const { bid, ask } = quoteCents(mid, market.spreadCents);
  live.bidCents = bid;
  live.askCents = ask;
  live.lastCents = mid;
  // Volume so far, as the simulator's snapshot counts it: attention integrated hour by hour.
  const nowHour = Math.floor((Math.min(now, market.closeMs) - cat.startMs) / HOUR_MS);
  const startHour = Math.round(cat.startMs / HOUR_MS);
  for (let h = market.openHour; h < nowHour && h - market.openHour < market.cents.length; h++) {
    const traded = Math.round(VOLUME_PER_ATTENTION * attention(cat, market, h));
    live.volume += traded;
    if (h > nowHour - 24) live.hourly.push([startHour + h, traded]);
  }
  live.openInterest = Math.round(live.volume * market.openInterestShare);
  live.status = statusAt(live, now);
  if (live.status === 'determined' || live.status === 'finalized' || live.status === 'closed') {
    live.result = (market.finalCents ?? mid) >= 50 ? 'yes' : 'no';
    if (market.finalCents !== undefined) live.lastCents = market.finalCents;
  }
  return live;
}

function scheduledPauses(seed: number, m: SimMarket): { from: number; to: number }[] {
  const rng = Rng.of(seed, 'pause', m.ticker);
  if (!rng.chance(PAUSE_SHARE)) return [];
  const from = m.openMs + rng.range(0.2, 0.8) * (m.closeMs - m.openMs);
  return [{ from, to: from + rng.range(10, 60) * 60_000 }];
}
