import { DAY_MS } from './calendar.js';
import type { Catalogue } from './catalogue.js';
import { Rng } from '../util/rng.js';
import { CATEGORIES, CATEGORY_WEIGHTS } from './series/index.js';
import { addSmoothNoise } from './smooth-noise.js';

/**
 * The latent user population, as parallel typed arrays (100k users fit in a few MB). Each user is
 * drawn from their own stream, so user i is the same whatever the population size.
 *
 * Tastes: category preferences are a concentrated Dirichlet draw (a few favourite categories), kept
 * as log-ratios to the exchange-wide category shares, plus one to three favourite series. Half the
 * users' tastes drift: over a few days (from half a day to ten) a new favourite category takes over
 * from the old one, and their favourite series in the old one give way to series of the new one.
 * Everyone's interest in each category also wanders from day to day around their tastes. So what a
 * user did last week says more about them than what they did a month ago.
 * Activity: sessions per day are lognormal, so a few whales and many occasional users.
 */

export const FAVOURITES = 3;
const C = CATEGORIES.length;
const BASE = CATEGORIES.map((c) => CATEGORY_WEIGHTS[c]);
/** Total Dirichlet concentration: lower means more concentrated tastes. */
const TASTE_CONCENTRATION = 1.0;
/**
 * Share of users whose tastes drift during the window. Real logs show interests that move over days
 * and weeks for most users; half is enough for a user's recent history to predict them better than
 * their whole history, while the other half keeps the stable preferences the signal tests rely on.
 */
export const DRIFT_SHARE = 0.5;
/** Median days a drift takes (lognormal, half a day to ten): gradual, not a switch. */
export const DRIFT_MEDIAN_DAYS = 3;
const SIGNUP_IN_WINDOW_SHARE = 0.08;

/**
 * Wandering interest: each category's log preference moves smoothly between independent normal
 * offsets (standard deviation WANDER_SD) drawn every WANDER_DAYS days per user, so this week's mix
 * of a user's categories is not last week's: at 0.8, a category a user gives 20% of their interest
 * to usually (one standard deviation) gets between about 10% and 40% of it in any one week.
 */
export const WANDER_DAYS = 7;
export const WANDER_SD = 0.8;

export const COUNTRIES = ['US', 'US', 'US', 'US', 'US', 'US', 'US', 'CA', 'GB', 'MX', 'DE', 'AU'] as const;
export const PLATFORMS = ['ios', 'ios', 'ios', 'android', 'android', 'web', 'web', 'web'] as const;

export interface Population {
  seed: number;
  count: number;
  /** Whether tastes drift and wander (one of the simulator's dynamics: ./catalogue.ts). */
  tastesMove: boolean;
  signupMs: Float64Array;
  sessionsPerDay: Float32Array;
  /** Probability scale of trading after opening a market. */
  tradePropensity: Float32Array;
  /** Median contracts per trade. */
  stake: Float32Array;
  /** When tastes start to drift (Infinity: never) and when the drift is complete. */
  driftMs: Float64Array;
  driftEndMs: Float64Array;
  /** [user][phase][category]: log of preference over the exchange-wide share; phase 1 is after the drift. */
  categoryTaste: Float32Array;
  /** [user][phase][slot]: favourite series index or -1, and how much it adds to utility. */
  favouriteSeries: Int16Array;
  favouriteBoost: Float32Array;
  country: Uint8Array;
  platform: Uint8Array;
}

export const tasteOffset = (user: number, phase: number) => (user * 2 + phase) * C;
export const favouriteOffset = (user: number, phase: number) => (user * 2 + phase) * FAVOURITES;

export function generatePopulation(seed: number, count: number, cat: Catalogue): Population {
  const pop: Population = {
    seed,
    count,
    tastesMove: cat.dynamics.tastes,
    signupMs: new Float64Array(count),
    sessionsPerDay: new Float32Array(count),
    tradePropensity: new Float32Array(count),
    stake: new Float32Array(count),
    driftMs: new Float64Array(count),
    driftEndMs: new Float64Array(count),
    categoryTaste: new Float32Array(count * 2 * C),
    favouriteSeries: new Int16Array(count * 2 * FAVOURITES).fill(-1),
    favouriteBoost: new Float32Array(count * 2 * FAVOURITES),
    country: new Uint8Array(count),
    platform: new Uint8Array(count),
  };
  const seriesByCategory = CATEGORIES.map((_, c) => cat.series.filter((s) => s.category === c));
  const span = cat.endMs - cat.startMs;
  for (let u = 0; u < count; u++) {
    const rng = Rng.of(seed, 'user', u);
    const inWindow = rng.chance(SIGNUP_IN_WINDOW_SHARE);
    pop.signupMs[u] = inWindow
      ? cat.startMs + rng.next() * span
      : cat.startMs - Math.min(5 * 365, 1 + rng.exponential(400)) * DAY_MS;
    const sessions = Math.min(30, rng.lognormal(-1.45, 1.25));
    pop.sessionsPerDay[u] = sessions;
    pop.tradePropensity[u] = 0.03 + 0.45 * rng.next() ** 2;
    pop.stake[u] = rng.lognormal(Math.log(5), 0.8) * (1 + Math.sqrt(sessions));
    pop.country[u] = rng.int(COUNTRIES.length);
    pop.platform[u] = rng.int(PLATFORMS.length);

    const pref = rng
      .dirichlet(BASE.map((b) => TASTE_CONCENTRATION * b))
      .map((p, c) => 0.85 * p + 0.15 * BASE[c]!);
    const favourites: { series: number; boost: number }[] = [];
    const slots = 1 + rng.int(FAVOURITES);
    for (let k = 0; k < slots; k++) {
      const options = seriesByCategory[rng.weighted(pref)]!;
      const s = options[rng.weighted(options.map((o) => Math.sqrt(o.template.popularity)))]!.index;
      if (!favourites.some((f) => f.series === s)) favourites.push({ series: s, boost: rng.range(1.2, 2.4) });
    }
    setPhase(pop, u, 0, pref, favourites);

    // Drawn for every user, so that switching drift off changes nothing else about them.
    const drifts = rng.chance(DRIFT_SHARE) && cat.dynamics.tastes;
    const driftStart = cat.startMs + rng.range(0.1, 0.8) * span;
    const driftDays = Math.min(10, Math.max(0.5, rng.lognormal(Math.log(DRIFT_MEDIAN_DAYS), 0.6)));
    pop.driftMs[u] = drifts ? driftStart : Infinity;
    pop.driftEndMs[u] = drifts ? driftStart + driftDays * DAY_MS : Infinity;
    if (!drifts) {
      setPhase(pop, u, 1, pref, favourites);
      continue;
    }
    // The old favourite category hands its weight to a new one; its favourite series follow.
    const top = pref.indexOf(Math.max(...pref));
    const next = rng.weighted(BASE.map((b, c) => (c === top ? 0 : b)));
    const after = [...pref];
    [after[top], after[next]] = [pref[next]!, pref[top]!];
    const nextSeries = seriesByCategory[next]!;
    const moved = favourites.map((f) =>
      cat.series[f.series]!.category === top
        ? {
            series: nextSeries[rng.weighted(nextSeries.map((o) => o.template.popularity))]!.index,
            boost: f.boost,
          }
        : f,
    );
    setPhase(
      pop,
      u,
      1,
      after,
      moved.filter((f, i) => moved.findIndex((g) => g.series === f.series) === i),
    );
  }
  return pop;
}

function setPhase(
  pop: Population,
  u: number,
  phase: number,
  pref: number[],
  favourites: { series: number; boost: number }[],
): void {
  const t = tasteOffset(u, phase);
  for (let c = 0; c < C; c++) pop.categoryTaste[t + c] = Math.log(pref[c]! / BASE[c]!);
  const f = favouriteOffset(u, phase);
  favourites.forEach((fav, k) => {
    pop.favouriteSeries[f + k] = fav.series;
    pop.favouriteBoost[f + k] = fav.boost;
  });
}

/**
 * Adds the user's wandering interest at `ms` to `out` (a log preference per category). Knots are
 * drawn per absolute knot index, so the wander does not depend on the window: the traders, who run
 * after it, see it go on.
 */
export function addWander(pop: Population, user: number, ms: number, out: Float64Array): void {
  if (!pop.tastesMove) return;
  addSmoothNoise([pop.seed, 'wander', user], ms, WANDER_DAYS * DAY_MS, WANDER_SD, out);
}

/**
 * How far a user's tastes have moved from phase 0 to phase 1 at `ms`: 0 before the drift starts, 1
 * once it is complete, easing in and out (smoothstep) in between.
 */
export function driftAt(pop: Population, user: number, ms: number): number {
  const start = pop.driftMs[user]!;
  if (ms <= start) return 0;
  const end = pop.driftEndMs[user]!;
  if (ms >= end) return 1;
  const x = (ms - start) / (end - start);
  return x * x * (3 - 2 * x);
}
