import type { MarketNow } from './attention.js';
import { CATEGORIES, CATEGORY_WEIGHTS } from './series/index.js';
import type { Population } from './users.js';
import { addWander, driftAt, FAVOURITES, favouriteOffset, tasteOffset } from './users.js';

/**
 * How simulated users choose, shared by the batch simulator (./funnel.ts) and the live traders
 * (src/traffic): the utility of a market to a user at a moment, the chance to examine a feed
 * position, and the funnel rates from a shown market to a click, a watch, a trade or a dismissal.
 * Calibrated so that about 1 in 10 impressions is clicked, about 1 in 4 clicks or views leads to a
 * trade or a watch, and taste (not the exchange's own popularity) decides most of what a user
 * engages with: see test/simulator/signal.test.ts. The moment matters three ways: tastes drift
 * (./users.ts), appeal fades with a market's age and news heats a series up (./attention.ts,
 * ./news.ts): see test/simulator/dynamics.test.ts.
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
/**
 * News adds log(1 + heat) × (NEWS_UTILITY + NEWS_TASTE_UTILITY × the user's share of interest in the
 * series' category) to utility: everyone looks at a market in the headlines, and those who follow its
 * category most. At a median shock's peak (heat 2, log 1.1) that is +0.3 for a user indifferent to
 * the category and +0.9 for one who gives it half their interest.
 */
export const NEWS_UTILITY = 0.3;
export const NEWS_TASTE_UTILITY = 1.2;

/** Chance of looking at feed position `p` at all (position bias). */
export const examination = (position: number): number => Math.pow(1 + position, -0.7);

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const C = CATEGORIES.length;
const BASE = CATEGORIES.map((c) => CATEGORY_WEIGHTS[c]);

/** What a user brings to any market at a moment: their tastes as drifted by then. */
export interface UserTaste {
  /** Per category: log of preference over the exchange-wide share. */
  categories: Float64Array;
  /** Per category: the user's share of interest in it. */
  shares: Float64Array;
  /** Favourite series and how much each adds to utility. */
  favouriteSeries: number[];
  favouriteBoost: number[];
}

export function userTaste(pop: Population, user: number, ms: number): UserTaste {
  const x = driftAt(pop, user, ms);
  const categories = new Float64Array(C);
  const shares = new Float64Array(C);
  const t0 = tasteOffset(user, 0);
  const t1 = tasteOffset(user, 1);
  // Log tastes move in a straight line as they drift (the old favourite fades as the new one grows),
  // and wander around that line.
  for (let c = 0; c < C; c++)
    categories[c] = (1 - x) * pop.categoryTaste[t0 + c]! + x * pop.categoryTaste[t1 + c]!;
  addWander(pop, user, ms, categories);
  let total = 0;
  for (let c = 0; c < C; c++) total += shares[c] = BASE[c]! * Math.exp(categories[c]!);
  for (let c = 0; c < C; c++) shares[c]! /= total;
  const favouriteSeries: number[] = [];
  const favouriteBoost: number[] = [];
  for (const [phase, weight] of [
    [0, 1 - x],
    [1, x],
  ] as const) {
    if (weight === 0) continue;
    const f = favouriteOffset(user, phase);
    for (let k = 0; k < FAVOURITES; k++) {
      const s = pop.favouriteSeries[f + k]!;
      if (s < 0) continue;
      const known = favouriteSeries.indexOf(s);
      if (known >= 0) favouriteBoost[known]! += weight * pop.favouriteBoost[f + k]!;
      else {
        favouriteSeries.push(s);
        favouriteBoost.push(weight * pop.favouriteBoost[f + k]!);
      }
    }
  }
  return { categories, shares, favouriteSeries, favouriteBoost };
}

/** Category taste, favourite-series boost, the market's appeal now and its news, before any session noise. */
export function utility(t: UserTaste, market: MarketNow): number {
  let u =
    TASTE_WEIGHT * t.categories[market.category]! +
    APPEAL_WEIGHT * market.logAppeal +
    market.logHeat * (NEWS_UTILITY + NEWS_TASTE_UTILITY * t.shares[market.category]!);
  const k = t.favouriteSeries.indexOf(market.series);
  if (k >= 0) u += t.favouriteBoost[k]!;
  return u;
}

/** Longshot-leaning: the cheaper a side, the likelier it is bought. */
export const yesShare = (midCents: number): number => 0.25 + 0.5 * (1 - midCents / 100);
