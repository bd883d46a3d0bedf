import { describe, expect, it } from 'vitest';
import { interactionInput } from '../../src/domain/schemas.js';
import { quoteCents } from '../../src/simulator/prices.js';
import { countBy, DAY_MS, END, run } from './fixture.js';

const DAYS = 10;
const { sim, markets, interactions } = run(5, 1000, DAYS);
const marketOf = new Map(markets.map((m) => [m.ticker, m]));
const ts = (r: { ts: string }) => Date.parse(r.ts);
const types = countBy(interactions, (r) => r.type);
const POSITIVE = new Set(['click', 'watch', 'trade']);
const profiles = new Map(
  Array.from({ length: sim.userCount }, (_, u) => sim.profile(u)).map((p) => [p.userId, p]),
);

describe('simulated interactions', () => {
  it('validate against the interaction schema', () => {
    expect(interactions.filter((r) => !interactionInput.safeParse(r).success)).toEqual([]);
    expect(new Set(types.keys())).toEqual(
      new Set(['impression', 'click', 'view', 'watch', 'unwatch', 'trade', 'dismiss']),
    );
  });

  it('are in time order inside the window, numbered sim-<seed>-<n> in that order', () => {
    expect(interactions.filter((r, n) => r.eventId !== `sim-5-${n}`)).toEqual([]);
    expect(interactions.filter((r, i) => i > 0 && ts(r) < ts(interactions[i - 1]!))).toEqual([]);
    expect(ts(interactions[0]!)).toBeGreaterThanOrEqual(END.getTime() - DAYS * DAY_MS);
    expect(ts(interactions.at(-1)!)).toBeLessThan(END.getTime());
  });

  it('only touch markets that are open at that moment, by users who have signed up', () => {
    const signup = new Map([...sim.users()].map((u) => [u.userId, String(u.attributes!.signupDate)]));
    const closed = interactions.filter((r) => {
      const m = marketOf.get(r.ticker)!;
      return ts(r) < Date.parse(m.openTime!) || ts(r) >= Date.parse(m.closeTime);
    });
    expect(closed).toEqual([]);
    expect(interactions.filter((r) => r.ts.slice(0, 10) < signup.get(r.userId)!)).toEqual([]);
  });

  it('narrow down the funnel: impressions ≫ clicks ≫ trades', () => {
    expect(types.get('impression')!).toBeGreaterThan(5 * types.get('click')!);
    expect(types.get('click')!).toBeGreaterThan(3 * types.get('trade')!);
    expect(types.get('dismiss')!).toBeLessThan(types.get('click')!);
    expect(interactions.length / (1000 * DAYS)).toBeGreaterThan(2);
  });

  it('attribute feed interactions to a feed and position, and clicks to an earlier impression', () => {
    const shown = new Set<string>();
    const wrong: string[] = [];
    for (const r of interactions) {
      const fromFeed = r.type === 'impression' || r.type === 'click' || r.type === 'dismiss';
      if ((r.feedId !== undefined) !== fromFeed || (r.position !== undefined) !== fromFeed)
        wrong.push(r.eventId);
      const tradeFields = [r.side, r.contracts, r.price].filter((v) => v !== undefined).length;
      if (tradeFields !== (r.type === 'trade' ? 3 : 0)) wrong.push(r.eventId);
      const key = `${r.feedId}|${r.position}|${r.ticker}|${r.userId}`;
      if (r.type === 'impression') shown.add(key);
      if ((r.type === 'click' || r.type === 'dismiss') && !shown.has(key)) wrong.push(r.eventId);
    }
    expect(wrong).toEqual([]);
    // Positions within a feed run 0, 1, 2, … in the order shown.
    const positions = new Map<string, number[]>();
    for (const r of interactions.filter((r) => r.type === 'impression')) {
      positions.set(r.feedId!, [...(positions.get(r.feedId!) ?? []), r.position!]);
    }
    for (const list of positions.values()) expect(list).toEqual(list.map((_, i) => i));
  });

  it('click top positions more often (position bias)', () => {
    const rate = (pos: number) => {
      const shown = interactions.filter((r) => r.type === 'impression' && r.position === pos).length;
      return interactions.filter((r) => r.type === 'click' && r.position === pos).length / shown;
    };
    expect(rate(0)).toBeGreaterThan(1.5 * rate(5));
  });

  it('trade at the market price of the moment: the ask for yes, one minus the bid for no', () => {
    const trades = interactions.filter((r) => r.type === 'trade');
    expect(trades.length).toBeGreaterThan(100);
    const byTicker = new Map(sim.catalogue.markets.map((m) => [m.ticker, m]));
    for (const t of trades) {
      const m = byTicker.get(t.ticker)!;
      const hour = Math.floor((ts(t) - sim.start.getTime()) / 3_600_000);
      const { bid, ask } = quoteCents(m.cents[hour - m.openHour]!, m.spreadCents);
      expect(Math.round(Number(t.price) * 100), t.eventId).toBe(t.side === 'yes' ? ask : 100 - bid);
      expect(Number.isInteger(t.contracts)).toBe(true);
    }
    const sides = countBy(trades, (t) => t.side!);
    expect(sides.get('yes')! / trades.length).toBeGreaterThan(0.3);
    expect(sides.get('no')! / trades.length).toBeGreaterThan(0.2);
  });

  it('unwatch only what the same user watched before', () => {
    const watched = new Set<string>();
    let unwatches = 0;
    for (const r of interactions) {
      const key = `${r.userId}|${r.ticker}`;
      if (r.type === 'watch') watched.add(key);
      if (r.type === 'unwatch') {
        expect(watched.has(key), r.eventId).toBe(true);
        watched.delete(key);
        unwatches++;
      }
    }
    expect(unwatches).toBeGreaterThan(20);
  });

  it('have heavy-tailed activity: a few whales, many occasional users', () => {
    const counts = countBy(interactions, (r) => r.userId);
    const perUser = Array.from({ length: 1000 }, (_, u) => counts.get(`user-${u + 1}`) ?? 0).sort(
      (a, b) => b - a,
    );
    const topDecile = perUser.slice(0, 100).reduce((s, n) => s + n, 0);
    expect(topDecile / interactions.length).toBeGreaterThan(0.4);
    const mean = interactions.length / 1000;
    expect(perUser[500]!).toBeLessThan(0.6 * mean);
    expect(perUser[0]!).toBeGreaterThan(10 * mean);
  });

  it('follow latent tastes: engagement concentrates in the favourite category of each user', () => {
    let favourite = 0;
    let positives = 0;
    let dismissedFavourite = 0;
    let dismissed = 0;
    for (const r of interactions) {
      const profile = profiles.get(r.userId)!;
      const inFavourite = marketOf.get(r.ticker)!.category === profile.categories[0]!.category;
      if (POSITIVE.has(r.type) && !profile.driftsAt) {
        positives++;
        if (inFavourite) favourite++;
      }
      if (r.type === 'dismiss') {
        dismissed++;
        if (inFavourite) dismissedFavourite++;
      }
    }
    // The exchange-wide share of any one category is at most 22%; users put far more into theirs...
    expect(favourite / positives).toBeGreaterThan(0.45);
    // ...and dismiss markets outside it.
    expect(dismissedFavourite / dismissed).toBeLessThan(0.5 * (favourite / positives));
  });

  it('drift: users who change favourite category engage with the new one after the change', () => {
    let before = [0, 0];
    let after = [0, 0];
    for (const r of interactions) {
      const p = profiles.get(r.userId)!;
      if (!p.driftsAt || !POSITIVE.has(r.type)) continue;
      const hit = marketOf.get(r.ticker)!.category === p.driftsTo ? 1 : 0;
      if (ts(r) < p.driftsAt.getTime()) before = [before[0]! + hit, before[1]! + 1];
      else after = [after[0]! + hit, after[1]! + 1];
    }
    expect(after[0]! / after[1]!).toBeGreaterThan(2 * (before[0]! / before[1]!));
  });
});
