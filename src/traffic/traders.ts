import type { FeedItem, InteractionPost } from '../client/sibyl-client.js';
import {
  CLICK_BIAS,
  DISMISS_RATE,
  examination,
  REPEAT_TRADE,
  SESSION_NOISE,
  sigmoid,
  TRADE_BIAS,
  userTaste,
  utility,
  WATCH_RATE,
  yesShare,
} from '../simulator/behaviour.js';
import { marketNow, type MarketNow } from '../simulator/attention.js';
import { DAY_MS, floorDay } from '../simulator/calendar.js';
import { buildCatalogue, type Catalogue, type SimMarket } from '../simulator/catalogue.js';
import { userId } from '../simulator/records.js';
import { CATEGORIES } from '../simulator/series/index.js';
import { generatePopulation, type Population } from '../simulator/users.js';
import type { Rng } from '../util/rng.js';

/**
 * The simulator's population as live traders: the same users (`user-1` … `user-N`, with the latent
 * tastes, drift and heavy-tailed activity `sibyl simulate` gave them) looking at the feeds Sibyl
 * serves them. Each shown market is examined with a chance that falls with its position; a user
 * clicks what suits their tastes (category, favourite series) as drifted by now, what is in the news
 * now (the simulator's news, which does not depend on its window), what is new rather than old, what
 * is priced near even and what closes soon; a click may lead to a watch and to trades at the quoted
 * price; an unappealing market is sometimes dismissed.
 */

export interface TraderWorld {
  population: Population;
  /** The simulated window's catalogue: its markets, and the news and fading that go on after it. */
  catalogue: Catalogue;
  /** Running sum of sessions per day: heavy users open the app more often. */
  cumulativeActivity: Float64Array;
  markets: Map<string, SimMarket>;
  seriesIndex: Map<string, number>;
  seriesPopularity: number[];
}

/**
 * The population of `sibyl simulate --seed seed --users users --days days` ending at today's
 * midnight (UTC), so each `user-i` is the user whose history the demo loaded.
 */
export function traderWorld(seed: number, users: number, days: number, now: number): TraderWorld {
  const end = floorDay(now);
  const catalogue = buildCatalogue(seed, end - days * DAY_MS, end);
  const population = generatePopulation(seed, users, catalogue);
  const cumulativeActivity = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) cumulativeActivity[u] = total += population.sessionsPerDay[u]!;
  return {
    population,
    catalogue,
    cumulativeActivity,
    markets: new Map(catalogue.markets.map((m) => [m.ticker, m])),
    seriesIndex: new Map(catalogue.series.map((s) => [s.template.ticker, s.index])),
    seriesPopularity: catalogue.series.map((s) => s.template.popularity),
  };
}

/** What a user sees of one feed page and does with it. */
export interface PageOutcome {
  interactions: InteractionPost[];
  /** How many of the page's items the user looked at (the rest were never seen). */
  examined: number;
}

export class Trader {
  readonly userId: string;
  private n = 0;

  constructor(
    private readonly world: TraderWorld,
    readonly user: number,
    private readonly rng: Rng,
    /** Names this session's interactions: `<prefix>-<n>`. */
    private readonly eventPrefix: string,
    private readonly now: () => Date,
  ) {
    this.userId = userId(user);
  }

  /** How deep this session goes into the feed (positions, over pages): 3 plus a geometric tail. */
  sessionDepth(): number {
    return 3 + this.rng.geometric(0.12);
  }

  /** The user's reaction to a page, given how far down the feed it starts and how deep they go. */
  look(page: { feedId: string; items: FeedItem[] }, offset: number, depth: number): PageOutcome {
    const out: InteractionPost[] = [];
    const examined = Math.max(0, Math.min(page.items.length, depth - offset));
    for (let i = 0; i < examined; i++) {
      const item = page.items[i]!;
      const position = offset + i;
      const shown = { ticker: item.ticker, feedId: page.feedId, position };
      out.push(this.event('impression', shown));
      const u = this.utility(item) + SESSION_NOISE * this.rng.normal();
      if (this.rng.chance(examination(position) * sigmoid(u + CLICK_BIAS))) {
        out.push(this.event('click', shown));
        this.engage(item, u, out);
      } else if (this.rng.chance(DISMISS_RATE * sigmoid(-u - 1))) {
        out.push(this.event('dismiss', shown));
      }
    }
    return { interactions: out, examined };
  }

  /** On the market's page: maybe watch it, maybe trade it at the quoted price. */
  private engage(item: FeedItem, u: number, out: InteractionPost[]): void {
    if (this.rng.chance(WATCH_RATE * sigmoid(u - 1))) out.push(this.event('watch', { ticker: item.ticker }));
    const bid = item.yesBid !== null ? Number(item.yesBid) : undefined;
    const ask = item.yesAsk !== null ? Number(item.yesAsk) : undefined;
    // Without both quotes (a market not traded yet) there is nothing to take.
    if (bid === undefined || ask === undefined || ask <= 0 || bid >= 1) return;
    const propensity = this.world.population.tradePropensity[this.user]!;
    if (!this.rng.chance(propensity * sigmoid(u + TRADE_BIAS))) return;
    do {
      const side = this.rng.chance(yesShare(((bid + ask) / 2) * 100)) ? 'yes' : 'no';
      const stake = this.world.population.stake[this.user]!;
      out.push({
        ...this.event('trade', { ticker: item.ticker }),
        side,
        contracts: Math.max(1, Math.round(this.rng.lognormal(Math.log(stake), 0.7))),
        // What was paid for the side taken: the ask for yes, one minus the bid for no.
        price: Number((side === 'yes' ? ask : 1 - bid).toFixed(4)),
      });
    } while (this.rng.chance(REPEAT_TRADE));
  }

  /**
   * The simulator's utility (taste, favourite series, appeal), plus what the live market shows: a
   * price near even and a close that is near make a market more interesting, as on the exchange.
   */
  private utility(item: FeedItem): number {
    const w = this.world;
    const now = this.now().getTime();
    const known = w.markets.get(item.ticker);
    const market: MarketNow = known ? marketNow(w.catalogue, known, now) : this.unknownMarket(item, now);
    let u = utility(userTaste(w.population, this.user, now), market);
    if (item.yesBid !== null && item.yesAsk !== null) {
      const p = (Number(item.yesBid) + Number(item.yesAsk)) / 2;
      u += 0.3 * Math.log(0.3 + 4 * p * (1 - p));
    }
    const hoursLeft = (Date.parse(item.closeTime) - this.now().getTime()) / 3_600_000;
    if (hoursLeft > 0) u += 0.3 * Math.log(1 + 2 * Math.exp(-hoursLeft / 12));
    return u;
  }

  /** A market listed after the simulated window: its series' appeal, as if new, and its series' news. */
  private unknownMarket(item: FeedItem, now: number): MarketNow {
    const w = this.world;
    const series = w.seriesIndex.get(item.seriesTicker ?? item.eventTicker.split('-')[0]!) ?? -1;
    return {
      category: Math.max(0, CATEGORIES.indexOf(item.category as (typeof CATEGORIES)[number])),
      series,
      logAppeal: Math.log(w.seriesPopularity[series] ?? 1),
      logHeat: series >= 0 ? w.catalogue.news.logHeatAt(series, now) : 0,
    };
  }

  private event(
    type: 'impression' | 'click' | 'dismiss' | 'watch' | 'trade',
    where: { ticker: string; feedId?: string; position?: number },
  ): InteractionPost {
    return {
      eventId: `${this.eventPrefix}-${this.n++}`,
      userId: this.userId,
      type,
      ts: this.now().toISOString(),
      ...where,
    };
  }
}
