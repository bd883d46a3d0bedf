import type { Population } from './users.js';
import { FAVOURITES, favouriteOffset, phaseAt, tasteOffset } from './users.js';

/**
 * How simulated users choose, shared by the batch simulator (./funnel.ts) and the live traders
 * (src/traffic): the utility of a market to a user, the chance to examine a feed position, and the
 * funnel rates from a shown market to a click, a watch, a trade or a dismissal. Calibrated so that
 * about 1 in 10 impressions is clicked, about 1 in 4 clicks or views leads to a trade or a watch,
 * and taste (not the exchange's own popularity) decides most of what a user engages with: see
 * test/simulator/signal.test.ts.
 */

export const CLICK_BIAS = -2.2;
export const APPEAL_WEIGHT = 0.4;
export const TASTE_WEIGHT = 1.6;
export const SESSION_NOISE = 0.5;
/** Users who open a market on purpose (series page, search) like it more than a feed click. */
export const INTENT_BONUS = 0.6;
export const DISMISS_RATE = 0.06;
export const WATCH_RATE = 0.2;
export const REPEAT_TRADE = 0.15;
export const TRADE_BIAS = -2.5;

/** Chance of looking at feed position `p` at all (position bias). */
export const examination = (position: number): number => Math.pow(1 + position, -0.7);

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** What a user brings to any market at a time: their taste phase (tastes drift once, for some). */
export interface UserTaste {
  taste: number;
  favourites: number;
}

export function userTaste(pop: Population, user: number, ms: number): UserTaste {
  const phase = phaseAt(pop, user, ms);
  return { taste: tasteOffset(user, phase), favourites: favouriteOffset(user, phase) };
}

/** Category taste, favourite-series boost and the market's appeal, before any session noise. */
export function utility(
  pop: Population,
  t: UserTaste,
  market: { category: number; series: number; logAppeal: number },
): number {
  let u = TASTE_WEIGHT * pop.categoryTaste[t.taste + market.category]! + APPEAL_WEIGHT * market.logAppeal;
  for (let k = 0; k < FAVOURITES; k++) {
    if (pop.favouriteSeries[t.favourites + k] === market.series) u += pop.favouriteBoost[t.favourites + k]!;
  }
  return u;
}

/** Longshot-leaning: the cheaper a side, the likelier it is bought. */
export const yesShare = (midCents: number): number => 0.25 + 0.5 * (1 - midCents / 100);
