import { describe, expect, it } from 'vitest';
import { NO_DYNAMICS, type Dynamics, type NewsShock } from '../../src/simulator/index.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';
import { simulate, TEST_END } from '../helpers/simulation.js';
import { BURST_HOURS, measure, type Measured } from './dynamics-measures.js';

/**
 * The simulator's temporal dynamics (series going in and out of fashion and markets fading with age,
 * news bursts, tastes that drift and wander: src/simulator) must make recency pay, so that a
 * recency-blind model loses here as it does on real logs. On the temporal split of `sibyl eval`
 * (./dynamics-measures.ts), forecasts weighted towards the cut must beat all-history ones:
 * - the series the next days' engagement goes to, by recency-weighted series popularity (7-day
 *   half-life, popularity-recency's): measured over seeds 1–12 (2,000 users, 14 days, ending at
 *   TEST_END), the gain in mean log-probability per test row was +0.003 to +0.090, positive on every
 *   seed, and the mean of any five consecutive seeds at least +0.009; with the dynamics switched off
 *   −0.006 to +0.011 (means of five at most +0.004), and on the simulator before them −0.008 to
 *   +0.010 (means of five at most +0.002). So every seed must gain and the mean of five must exceed
 *   +0.006.
 * - the categories each user engages with next, by their category shares over the last days (3-day
 *   half-life): +0.027 to +0.083 per test row over seeds 1–12, means of five at least +0.045; off,
 *   −0.037 to −0.008 (a shorter memory is only noisier when tastes stand still), and before the
 *   dynamics −0.009 to +0.028 (its 20% of users who switched favourite once), means of five at most
 *   +0.013. So every seed must gain more than +0.02 and the mean of five more than +0.03.
 * Switching off the popularity dynamics alone takes the first lead away (mean +0.002 on seeds 1–5),
 * switching off the tastes alone the second (−0.033); news bursts move neither (they last hours).
 *
 * Markets themselves are not where this shows: on models/eval's item-level popularity baselines the
 * life cycle dominates (markets close, new ones are listed), which rewarded recency before the
 * dynamics too (popularity-recency's nDCG@10 was 1.01–1.22× popularity's over seeds 1–8), and which
 * few markets make a top 10 swings with the seed far more than any dynamic moves it.
 */
const SEEDS = [1, 2, 3, 4, 5];
/** Shocks at least this big: one in seven (sizes are Pareto from 1, median 1.8). */
const BIG_SHOCK = 5;

const run = (seed: number, dynamics: Partial<Dynamics> | undefined, shocks: NewsShock[] = []) =>
  measure(
    simulate({ seed, users: 2000, days: 14, end: TEST_END, ...(dynamics ? { dynamics } : {}) }),
    shocks,
  );

interface SeedRuns {
  seed: number;
  shocks: number;
  withDynamics: Measured;
  withoutDynamics: Measured;
  withoutNews: Measured;
}

const runs: SeedRuns[] = SEEDS.map((seed) => {
  const sim = simulate({ seed, users: 2000, days: 14, end: TEST_END });
  // The window's big shocks, but for those too late to be followed for BURST_HOURS.
  const shocks = sim.catalogue.news
    .shocks(sim.start.getTime(), sim.end.getTime() - BURST_HOURS * HOUR_MS)
    .filter((s) => s.size >= BIG_SHOCK);
  return {
    seed,
    shocks: shocks.length,
    withDynamics: measure(sim, shocks),
    withoutDynamics: run(seed, NO_DYNAMICS),
    // The same exchange and users without news, watched at the same hours.
    withoutNews: run(seed, { news: false }, shocks),
  };
});

const gains = (of: 'series' | 'categories', which: 'withDynamics' | 'withoutDynamics') =>
  runs.map((r) => r[which].recency[of].recent - r[which].recency[of].all);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the simulator rewards knowing what is recent', () => {
  it('evaluates hundreds of users on a thousand test rows per seed', () => {
    for (const { seed, withDynamics } of runs) {
      console.info(`dynamics seed ${seed}`, JSON.stringify(withDynamics));
      // Over seeds 1–12: 442–560 users, 1,001–1,359 test rows.
      expect(withDynamics.recency.evaluatedUsers, `seed ${seed}`).toBeGreaterThan(300);
      expect(withDynamics.recency.testRows, `seed ${seed}`).toBeGreaterThan(600);
    }
  });

  it('recent popularity forecasts which series the next days go to better than all-history popularity', () => {
    const series = gains('series', 'withDynamics');
    series.forEach((gain, i) => expect(gain, `seed ${SEEDS[i]}`).toBeGreaterThan(0));
    expect(mean(series)).toBeGreaterThan(0.006);
  });

  it("a user's recent categories forecast their next ones better than their all-history shares", () => {
    const categories = gains('categories', 'withDynamics');
    categories.forEach((gain, i) => expect(gain, `seed ${SEEDS[i]}`).toBeGreaterThan(0.02));
    expect(mean(categories)).toBeGreaterThan(0.03);
  });

  it('owes both leads to the dynamics: switched off, the same exchanges show neither', () => {
    expect(mean(gains('series', 'withoutDynamics'))).toBeLessThan(0.006);
    expect(mean(gains('categories', 'withoutDynamics'))).toBeLessThan(0);
  });

  it('shows news as spikes many users share: a big shock brings a crowd to its series within hours', () => {
    // Users engaging with a shocked series in the 3 hours after its big shocks, against the same
    // exchange without news: 2.2–7.7× over seeds 1–12 (18–114 users after 4–12 shocks a seed).
    for (const { seed, shocks, withDynamics, withoutNews } of runs) {
      expect(shocks, `seed ${seed}`).toBeGreaterThan(3);
      expect(withDynamics.burstUsers, `seed ${seed}`).toBeGreaterThan(1.5 * withoutNews.burstUsers);
    }
  });
});
