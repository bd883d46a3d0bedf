import { HOUR_MS } from './calendar.js';
import type { Catalogue, SimMarket } from './catalogue.js';

/**
 * Interest fades with age: a market's appeal is divided by 1 + age / AGE_FADE_DAYS, beyond the bump of
 * its first hours. Collective attention to a story decays slowly after its first days (Wu and
 * Huberman's novelty decay), so a month-long market that was busy in its first week is quiet in its
 * fourth and all-history popularity overrates it: at 2 days, a two-week-old market draws an eighth of
 * the attention it drew when new, all else equal.
 */
export const AGE_FADE_DAYS = 2;

/** log of the fade of interest at `ageHours` after the open (0: none, or dynamics switched off). */
export function logFade(cat: Pick<Catalogue, 'dynamics'>, ageHours: number): number {
  return cat.dynamics.popularity ? -Math.log1p(Math.max(0, ageHours) / (24 * AGE_FADE_DAYS)) : 0;
}

/**
 * Exchange-wide attention to a market during one hour of its life (hours counted from the catalogue's
 * start): its latent appeal, faded with age, multiplied by 1 + the heat of news about its series
 * (./news.ts), more when the price is near 50-50 (at-the-money strikes, close games), in the hours
 * before the close and just after listing. It drives what the exchange's own feeds show, what users
 * come across, and the market's traded volume, so "popular" in the data means what it means on a
 * real exchange, now.
 */
export function attention(cat: Catalogue, m: SimMarket, hour: number): number {
  const age = hour - m.openHour;
  const p = m.cents[age]! / 100;
  const hoursLeft = m.closeHour - hour;
  const news = cat.news.logHeat(m.series, cat.startHour + hour);
  const trend = cat.trends.logTrend(m.series, cat.startHour + hour);
  return (
    m.appeal *
    Math.exp(logFade(cat, age) + trend + news) *
    (0.3 + 4 * p * (1 - p)) *
    (1 + 2 * Math.exp(-hoursLeft / 12)) *
    (1 + Math.exp(-age / 12))
  );
}

/** What a market is worth to anyone at a moment, before taste: its faded appeal and its news. */
export interface MarketNow {
  category: number;
  series: number;
  /** log of the latent appeal, faded with age (./attention.ts). */
  logAppeal: number;
  /** log(1 + heat) of news about its series (./news.ts). */
  logHeat: number;
}

/** A market as users see it at `ms` (any time, inside the catalogue's window or after it). */
export function marketNow(cat: Catalogue, m: SimMarket, ms: number): MarketNow {
  return {
    category: m.category,
    series: m.series,
    logAppeal: m.logAppeal + logFade(cat, (ms - m.openMs) / HOUR_MS) + cat.trends.logTrendAt(m.series, ms),
    logHeat: cat.news.logHeatAt(m.series, ms),
  };
}
