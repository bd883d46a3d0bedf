import type { Rng } from '../util/rng.js';

/**
 * Price dynamics, hour by hour, in integer cents (1..99) as the exchange quotes them.
 * Ladder markets are priced off a numeric underlying, so strikes of one event stay monotone and
 * settle by where the underlying ends; outcome and yes/no markets follow a logit random walk that is
 * pulled, increasingly as the close nears, toward a result drawn at listing.
 */

const HOURS_PER_DAY = 24;
/** How far (in logits) the eventual result pulls the price at the close: ~99 cents. */
const RESOLUTION_PULL = 7;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26; absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export const toCents = (p: number): number => Math.min(99, Math.max(1, Math.round(p * 100)));

export interface WalkSpec {
  /** Long-run level as a function of the hour (seasonal normals) or a constant. */
  mean: (hour: number) => number;
  start: number;
  /** Standard deviation per √day; a fraction of the level when `relative`. */
  vol: number;
  relative: boolean;
  /** Daily pull back toward the mean, 0..1. */
  reversion: number;
}

/** Hourly path of a (mean-reverting, log-space when relative) random walk; `path[k]` is hour `fromHour + k`. */
export function walk(rng: Rng, spec: WalkSpec, fromHour: number, hours: number): Float64Array {
  const path = new Float64Array(hours);
  const dt = 1 / HOURS_PER_DAY;
  const kappa = spec.reversion * dt;
  const step = spec.vol * Math.sqrt(dt);
  let x = spec.relative ? Math.log(spec.start) : spec.start;
  for (let k = 0; k < hours; k++) {
    path[k] = spec.relative ? Math.exp(x) : x;
    const target = spec.mean(fromHour + k);
    x += kappa * ((spec.relative ? Math.log(target) : target) - x) + step * rng.normal();
  }
  return path;
}

/** How much an underlying moves per √day; relative volatility is a fraction of its level. */
export interface Volatility {
  vol: number;
  relative?: boolean;
}

/** Standard deviation of the underlying over `hoursLeft` (ignoring mean reversion: traders hedge). */
export function horizonSd(spec: Volatility, level: number, hoursLeft: number): number {
  return (spec.relative ? spec.vol * level : spec.vol) * Math.sqrt(hoursLeft / HOURS_PER_DAY);
}

/** Fair price of "above `strike` at the close" with the underlying at `x`, `hoursLeft` before it. */
export function ladderCents(spec: Volatility, x: number, strike: number, hoursLeft: number): number {
  if (hoursLeft <= 0) return x > strike ? 99 : 1;
  return toCents(normalCdf((x - strike) / horizonSd(spec, x, hoursLeft)));
}

/** Nearest of 1, 2, 5 × 10^k: strike spacings people use. */
export function niceNumber(x: number): number {
  if (x <= 1) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(x)));
  const candidates = [1, 2, 5, 10].map((c) => c * power);
  return candidates.reduce((best, c) =>
    Math.abs(Math.log(c / x)) < Math.abs(Math.log(best / x)) ? c : best,
  );
}

export interface ResolvingEvent {
  /** Opening probabilities: one per outcome (summing to 1) when exclusive, or one yes/no market. */
  priors: number[];
  exclusive: boolean;
  lifetimeHours: number;
  /** Hours to price from the open (the event may still be running at the end of the window). */
  hours: number;
  /** Logit volatility per √day. */
  vol: number;
}

export interface ResolvedPaths {
  /** `cents[i][k]`: market i at `k` hours after the open. */
  cents: Uint8Array[];
  /** Settlement in cents per market (99 or 1). */
  final: number[];
}

/**
 * Logit random walks pulled toward a result drawn from the priors; the pull grows as
 * exp(-hoursLeft / tau), so prices wander early and converge in the last stretch (a game's last
 * hours, a month's last days).
 */
export function resolvingPaths(rng: Rng, e: ResolvingEvent): ResolvedPaths {
  const n = e.priors.length;
  const winner = e.exclusive ? rng.weighted(e.priors) : rng.chance(e.priors[0]!) ? 0 : -1;
  const logits = e.priors.map((p) => (e.exclusive ? Math.log(p) : Math.log(p / (1 - p))));
  const tau = Math.max(2, e.lifetimeHours / 8);
  const step = e.vol * Math.sqrt(1 / HOURS_PER_DAY);
  const cents = e.priors.map(() => new Uint8Array(e.hours));
  const effective = new Float64Array(n);
  for (let k = 0; k < e.hours; k++) {
    const pull = RESOLUTION_PULL * Math.exp(-(e.lifetimeHours - k) / tau);
    for (let i = 0; i < n; i++) {
      const toward = i === winner ? pull : e.exclusive ? 0 : -pull;
      effective[i] = logits[i]! + toward;
    }
    if (e.exclusive) {
      const max = Math.max(...effective);
      let total = 0;
      for (let i = 0; i < n; i++) total += Math.exp(effective[i]! - max);
      for (let i = 0; i < n; i++) cents[i]![k] = toCents(Math.exp(effective[i]! - max) / total);
    } else {
      cents[0]![k] = toCents(1 / (1 + Math.exp(-effective[0]!)));
    }
    for (let i = 0; i < n; i++) logits[i] = logits[i]! + step * rng.normal();
  }
  return { cents, final: e.priors.map((_, i) => (i === winner ? 99 : 1)) };
}

/** Bid and ask around a mid, in cents, inside 1..99. */
export function quoteCents(mid: number, spread: number): { bid: number; ask: number } {
  const bid = Math.min(99 - spread, Math.max(1, mid - Math.floor(spread / 2)));
  return { bid, ask: bid + spread };
}
