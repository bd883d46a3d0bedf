import type { InteractionType } from '../domain/schemas.js';
import { marketNow } from './attention.js';
import { DAY_MS, HOUR_MS } from './calendar.js';
import type { Catalogue } from './catalogue.js';
import type { InteractionBuffer } from './interaction-buffer.js';
import { quoteCents } from './prices.js';
import { Rng } from '../util/rng.js';
import type { HourSlate } from './slates.js';
import type { Population } from './users.js';
import {
  CLICK_BIAS,
  DISMISS_RATE,
  examination,
  INTENT_BONUS,
  REPEAT_TRADE,
  SESSION_NOISE,
  sigmoid,
  TRADE_BIAS,
  userTaste,
  utility,
  WATCH_RATE,
  yesShare,
  type UserTaste,
} from './behaviour.js';

/**
 * How a user spends a day on the exchange. Each session lands on one surface:
 * - the home feed or a category page (the exchange's popularity-ranked lists, sampled Plackett–Luce
 *   so no two feeds are alike), where every shown market is an impression and each is clicked with
 *   probability examination(position) × σ(utility + bias); unappealing ones are sometimes dismissed;
 * - a favourite series' page, where the user views its open markets (organic, no feed);
 * - their portfolio: markets they hold or watch, revisited (repeat consumption, as traders do);
 * - discovery (search, links), where markets are viewed in proportion to exchange-wide attention.
 * Opening a market (click or view) can lead to a watch (later undone at times) and to trades at the
 * market's quoted price. Utility = category taste + favourite-series boost + appeal + news + noise
 * (./behaviour.ts), all as of the session's moment: tastes drift, appeal fades and news comes and
 * goes, and the exchange's lists follow attention, which follows the news too.
 */

/** State that carries across days: watchlists, positions and scheduled unwatches. */
export interface CarryOver {
  /** `user * markets + market` for every market a user watches. */
  watching: Set<number>;
  unwatches: Map<number, { ts: number; market: number }[]>;
  /** Markets each user recently traded or watched, oldest first. */
  holdings: Map<number, number[]>;
}

export interface World {
  seed: number;
  cat: Catalogue;
  slates: HourSlate[];
  pop: Population;
  carry: CarryOver;
}

/** Relative number of sessions starting in each UTC hour: US evenings peak, US nights are quiet. */
const DIURNAL = [
  8, 7.5, 6.5, 5, 3.5, 2, 1.2, 1, 1, 1.2, 1.6, 2.2, 3, 3.6, 4, 4.4, 4.8, 5, 5.4, 5.8, 6.3, 6.8, 7.2, 7.8,
];
let running = 0;
const DIURNAL_CUMULATIVE = DIURNAL.map((w) => (running += w));
/** Home feed, category page, favourite series, portfolio, discovery. */
const SURFACES = [0.32, 0.28, 0.25, 0.08, 0.07];
const MAX_HOLDINGS = 12;
const HOME_POOL = 60;
const CATEGORY_POOL = 40;
/** Plackett–Luce temperature over log-attention: above 1 flattens the exchange's own ranking. */
const FEED_TEMPERATURE = 1.4;
const EXAMINATION = Array.from({ length: HOME_POOL }, (_, p) => examination(p));
/** Scratch space for sampling a feed: one session at a time, so shared. */
const FEED_KEYS = new Float64Array(Math.max(HOME_POOL, CATEGORY_POOL));
const UNWATCH_SHARE = 0.3;
const UNWATCH_MEAN_MS = 36 * HOUR_MS;

export function simulateUserDay(w: World, user: number, day: number, out: InteractionBuffer): void {
  const dayStart = w.cat.startMs + day * DAY_MS;
  if (w.pop.signupMs[user]! < dayStart + DAY_MS) {
    const rng = Rng.of(w.seed, 'day', user, day);
    const weekday = new Date(dayStart).getUTCDay();
    const sessions = rng.poisson(w.pop.sessionsPerDay[user]! * (weekday === 0 || weekday === 6 ? 1.1 : 1));
    for (let k = 0; k < sessions; k++) {
      const hour = day * 24 + rng.weightedCumulative(DIURNAL_CUMULATIVE);
      const hourStart = w.cat.startMs + hour * HOUR_MS;
      if (hourStart < w.pop.signupMs[user]! || w.slates[hour]!.markets.length === 0) continue;
      new Session(w, user, rng, hour, k, out).run();
    }
  }
  emitDueUnwatches(w, user, dayStart + DAY_MS, out);
}

function emitDueUnwatches(w: World, user: number, before: number, out: InteractionBuffer): void {
  const pending = w.carry.unwatches.get(user);
  if (!pending) return;
  const later = pending.filter((u) => u.ts >= before);
  for (const u of pending) {
    if (u.ts >= before) continue;
    w.carry.watching.delete(user * w.cat.markets.length + u.market);
    // A market that closed in the meantime simply drops off the watchlist.
    if (u.ts < w.cat.markets[u.market]!.closeMs) out.push(u.ts, user, u.market, 'unwatch');
  }
  if (later.length) w.carry.unwatches.set(user, later);
  else w.carry.unwatches.delete(user);
}

class Session {
  private readonly slate: HourSlate;
  private readonly hourEnd: number;
  private readonly taste: UserTaste;
  private t: number;

  constructor(
    private readonly w: World,
    private readonly user: number,
    private readonly rng: Rng,
    private readonly hour: number,
    /** Names the session's feed (see records.ts). */
    private readonly session: number,
    private readonly out: InteractionBuffer,
  ) {
    this.slate = w.slates[hour]!;
    const hourStart = w.cat.startMs + hour * HOUR_MS;
    this.hourEnd = hourStart + HOUR_MS;
    this.t = hourStart + rng.int(40 * 60_000);
    this.taste = userTaste(w.pop, user, this.t);
  }

  run(): void {
    const surface = this.rng.weighted(SURFACES);
    if (surface === 0) return this.feed(this.slate.markets.length, (i) => i, HOME_POOL);
    if (surface === 2 && this.seriesPage()) return;
    if (surface === 3 && this.portfolio()) return;
    if (surface === 4) return this.discover();
    const positions = this.slate.byCategory[this.rng.weighted(this.taste.shares)]!;
    if (positions.length) this.feed(positions.length, (i) => positions[i]!, CATEGORY_POOL);
  }

  /** A ranked list sampled from the top of the exchange's list; impressions, clicks and dismissals. */
  private feed(available: number, slatePosition: (i: number) => number, poolSize: number): void {
    const pool = Math.min(available, poolSize);
    const keys = FEED_KEYS;
    for (let i = 0; i < pool; i++)
      keys[i] = this.slate.logAttention[slatePosition(i)]! / FEED_TEMPERATURE + this.rng.gumbel();
    const depth = Math.min(pool, 3 + this.rng.geometric(0.12));
    for (let position = 0; position < depth; position++) {
      // Selection of the next-highest key: a feed is only ~10 deep, so cheaper than sorting the pool.
      let best = 0;
      for (let i = 1; i < pool; i++) if (keys[i]! > keys[best]!) best = i;
      keys[best] = -Infinity;
      const market = this.slate.markets[slatePosition(best)]!;
      this.advance(800, 2500);
      this.emitFromFeed(market, 'impression', position);
      const utility = this.utility(market) + SESSION_NOISE * this.rng.normal();
      if (this.rng.chance(EXAMINATION[position]! * sigmoid(utility + CLICK_BIAS))) {
        this.advance(2_000, 12_000);
        this.emitFromFeed(market, 'click', position);
        this.engage(market, utility);
      } else if (this.rng.chance(DISMISS_RATE * sigmoid(-utility - 1))) {
        this.advance(500, 3_000);
        this.emitFromFeed(market, 'dismiss', position);
      }
    }
  }

  /** Straight to a favourite series: views of its open markets, busiest first. Returns false if none is open. */
  private seriesPage(): boolean {
    const candidates: number[] = [];
    const boosts: number[] = [];
    this.taste.favouriteSeries.forEach((s, k) => {
      if (this.slate.bySeries.has(s)) {
        candidates.push(s);
        boosts.push(this.taste.favouriteBoost[k]!);
      }
    });
    if (candidates.length === 0) return false;
    const positions = this.slate.bySeries.get(candidates[this.rng.weighted(boosts)]!)!;
    const weights = Array.from(positions, (p) => Math.exp(this.slate.logAttention[p]!));
    const views = 1 + Math.min(2, this.rng.geometric(0.5));
    for (let v = 0; v < views; v++) this.view(this.slate.markets[positions[this.rng.weighted(weights)]!]!);
    return true;
  }

  /** Back to markets the user holds or watches that are still open. Returns false if there are none. */
  private portfolio(): boolean {
    const held = (this.w.carry.holdings.get(this.user) ?? []).filter((m) => {
      const market = this.w.cat.markets[m]!;
      return market.openHour <= this.hour && this.hour < market.closeHour;
    });
    if (held.length === 0) return false;
    const views = 1 + Math.min(2, this.rng.geometric(0.5));
    for (let v = 0; v < views; v++)
      this.view(held[held.length - 1 - Math.min(held.length - 1, this.rng.geometric(0.4))]!);
    return true;
  }

  private discover(): void {
    const views = 1 + Math.min(1, this.rng.geometric(0.6));
    for (let v = 0; v < views; v++)
      this.view(this.slate.markets[this.rng.weightedCumulative(this.slate.cumulative)]!);
  }

  private view(market: number): void {
    this.advance(5_000, 60_000);
    this.emit(market, 'view');
    this.engage(market, this.utility(market) + INTENT_BONUS + SESSION_NOISE * this.rng.normal());
  }

  /** On a market's page: maybe watch it, maybe trade it at the quoted price. */
  private engage(market: number, utility: number): void {
    const { w, rng, user } = this;
    const key = user * w.cat.markets.length + market;
    if (!w.carry.watching.has(key) && rng.chance(WATCH_RATE * sigmoid(utility - 1))) {
      this.advance(3_000, 20_000);
      this.emit(market, 'watch');
      w.carry.watching.add(key);
      this.hold(market);
      if (rng.chance(UNWATCH_SHARE)) {
        const list = w.carry.unwatches.get(user) ?? [];
        list.push({ ts: Math.round(this.t + rng.exponential(UNWATCH_MEAN_MS)), market });
        w.carry.unwatches.set(user, list);
      }
    }
    if (!rng.chance(w.pop.tradePropensity[user]! * sigmoid(utility + TRADE_BIAS))) return;
    do {
      this.advance(10_000, 90_000);
      this.trade(market);
    } while (rng.chance(REPEAT_TRADE));
    this.hold(market);
  }

  private hold(market: number): void {
    const list = (this.w.carry.holdings.get(this.user) ?? []).filter((m) => m !== market);
    list.push(market);
    if (list.length > MAX_HOLDINGS) list.shift();
    this.w.carry.holdings.set(this.user, list);
  }

  /** Longshot-leaning side choice; pays the ask for yes, one minus the bid for no. */
  private trade(market: number): void {
    const m = this.w.cat.markets[market]!;
    const mid = m.cents[this.hour - m.openHour]!;
    const { bid, ask } = quoteCents(mid, m.spreadCents);
    const side = this.rng.chance(yesShare(mid)) ? 'yes' : 'no';
    const contracts = Math.max(
      1,
      Math.round(this.rng.lognormal(Math.log(this.w.pop.stake[this.user]!), 0.7)),
    );
    const i = this.out.push(this.t, this.user, market, 'trade');
    this.out.setTrade(i, side, contracts, side === 'yes' ? ask : 100 - bid);
  }

  private utility(market: number): number {
    return utility(this.taste, marketNow(this.w.cat, this.w.cat.markets[market]!, this.t));
  }

  /** Moves the session clock on, never past its hour (every market here is open for the whole hour). */
  private advance(minMs: number, maxMs: number): void {
    this.t = Math.min(this.hourEnd - 1, this.t + minMs + this.rng.int(maxMs - minMs));
  }

  private emit(market: number, type: InteractionType): void {
    this.out.push(this.t, this.user, market, type);
  }

  private emitFromFeed(market: number, type: InteractionType, position: number): void {
    this.out.setFeed(this.out.push(this.t, this.user, market, type), this.session, position);
  }
}
