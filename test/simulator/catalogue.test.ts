import { describe, expect, it } from 'vitest';
import { eventInput, marketInput, seriesInput, userInput } from '../../src/domain/schemas.js';
import { CATEGORIES } from '../../src/simulator/index.js';
import { DAY_MS, END, run } from './fixture.js';

const { sim, markets } = run(3, 50, 10);
const series = sim.series();
const events = sim.events();
const end = END.getTime();
const at = (iso: string | undefined) => Date.parse(iso!);
const open = markets.filter((m) => m.status === 'open');

describe('simulated catalogue', () => {
  it('lists the eight categories by their display names, each with open markets at the end', () => {
    expect(CATEGORIES).toEqual([
      'Politics',
      'Economics',
      'Financials',
      'Crypto',
      'Weather',
      'Sports',
      'Culture',
      'Tech & AI',
    ]);
    for (const category of CATEGORIES) {
      expect(open.filter((m) => m.category === category).length, category).toBeGreaterThanOrEqual(5);
    }
    expect(open.length).toBeGreaterThan(200);
  });

  it('has every frequency and Kalshi-shaped, unique tickers (series → event → market)', () => {
    expect(new Set(series.map((s) => s.frequency))).toEqual(
      new Set(['daily', 'weekly', 'monthly', 'one-off']),
    );
    for (const s of series) expect(s.ticker).toMatch(/^KX[A-Z0-9]+$/);
    for (const e of events) expect(e.eventTicker.startsWith(`${e.seriesTicker}-`), e.eventTicker).toBe(true);
    const eventOf = new Map(events.map((e) => [e.eventTicker, e]));
    for (const m of markets) {
      expect(m.ticker === m.eventTicker || m.ticker.startsWith(`${m.eventTicker}-`), m.ticker).toBe(true);
      expect(eventOf.get(m.eventTicker)?.seriesTicker).toBe(m.seriesTicker);
    }
    expect(new Set(markets.map((m) => m.ticker)).size).toBe(markets.length);
    expect(new Set(events.map((e) => e.eventTicker)).size).toBe(events.length);
    expect(markets.map((m) => m.ticker)).toContain('KXFED-26DEC-T3.75');
  });

  it('validates against the input schemas, also after a JSON round trip', () => {
    const roundTrip = <T>(x: T): unknown => JSON.parse(JSON.stringify(x));
    for (const s of series) expect(seriesInput.safeParse(roundTrip(s)).success).toBe(true);
    for (const e of events) expect(eventInput.safeParse(roundTrip(e)).success).toBe(true);
    for (const m of markets) expect(marketInput.safeParse(roundTrip(m)).error).toBeUndefined();
    for (const u of sim.users()) expect(userInput.safeParse(roundTrip(u)).success).toBe(true);
  });

  it('gives each market the status its times imply at the end of the window', () => {
    for (const m of markets) {
      const expected =
        at(m.openTime) > end
          ? 'unopened'
          : at(m.closeTime) > end
            ? 'open'
            : at(m.expirationTime) > end
              ? 'closed'
              : 'settled';
      expect(m.status, m.ticker).toBe(expected);
      expect(at(m.openTime)).toBeLessThan(at(m.closeTime));
    }
    const statuses = new Set(markets.map((m) => m.status));
    expect(statuses).toEqual(new Set(['unopened', 'open', 'closed', 'settled']));
  });

  it('opens and closes markets throughout the window, so most open ones are young', () => {
    const start = end - 10 * DAY_MS;
    for (let day = 0; day < 10; day++) {
      const from = start + day * DAY_MS;
      const opened = markets.filter((m) => at(m.openTime) >= from && at(m.openTime) < from + DAY_MS);
      const closed = markets.filter((m) => at(m.closeTime) >= from && at(m.closeTime) < from + DAY_MS);
      expect(opened.length, `day ${day}`).toBeGreaterThan(50);
      expect(closed.length, `day ${day}`).toBeGreaterThan(50);
    }
    const young = open.filter((m) => end - at(m.openTime) < 7 * DAY_MS);
    expect(young.length / open.length).toBeGreaterThan(0.6);
  });

  it('quotes open markets and settles finished ones near 0 or 1', () => {
    for (const m of open) {
      expect(m.yesBid!).toBeLessThan(m.yesAsk!);
      expect(m.lastPrice!).toBeGreaterThanOrEqual(m.yesBid!);
      expect(m.lastPrice!).toBeLessThanOrEqual(m.yesAsk!);
      expect(m.liquidity!).toBeGreaterThan(0);
      expect(m.volume24h!).toBeLessThanOrEqual(m.volume!);
    }
    for (const m of markets.filter((m) => m.status === 'settled')) {
      expect([0.01, 0.99]).toContain(m.lastPrice);
      if (at(m.closeTime) <= end - DAY_MS) expect(m.volume24h, m.ticker).toBe(0);
    }
    // Trading concentrates where attention is: the busiest decile of open markets out-trades the quietest by far.
    const volumes = open.map((m) => m.volume24h!).sort((a, b) => a - b);
    const decile = Math.floor(volumes.length / 10);
    expect(volumes.at(-decile)!).toBeGreaterThan(10 * volumes[decile]!);
  });

  it('prices strike ladders monotonically and mutually exclusive outcomes summing to about 1', () => {
    const byEvent = new Map<string, typeof open>();
    for (const m of open) byEvent.set(m.eventTicker, [...(byEvent.get(m.eventTicker) ?? []), m]);
    let ladders = 0;
    let exclusive = 0;
    for (const e of events) {
      const ms = byEvent.get(e.eventTicker);
      if (!ms || ms.length < 2) continue;
      const prices = ms.map((m) => m.lastPrice!);
      if (e.mutuallyExclusive) {
        exclusive++;
        expect(Math.abs(prices.reduce((s, p) => s + p, 0) - 1), e.eventTicker).toBeLessThanOrEqual(
          0.01 * ms.length,
        );
      } else {
        ladders++;
        const strikes = ms.map((m) => Number(m.ticker.split('-T').at(-1)));
        for (let i = 1; i < ms.length; i++) {
          expect(strikes[i]).toBeGreaterThan(strikes[i - 1]!);
          expect(prices[i]!, ms[i]!.ticker).toBeLessThanOrEqual(prices[i - 1]!);
        }
      }
    }
    expect(ladders).toBeGreaterThan(20);
    expect(exclusive).toBeGreaterThan(20);
  });

  it('titles markets the way an exchange does', () => {
    const titles = (prefix: string) => markets.filter((m) => m.ticker.startsWith(prefix)).map((m) => m.title);
    expect(titles('KXBTC-')[0]).toMatch(/^Bitcoin above \$\d{2,3},\d{3} on [A-Z][a-z]{2} \d{1,2}\?$/);
    expect(titles('KXFEDDECISION-')).toContain('Will the Fed cut rates in December 2026?');
    expect(titles('KXNFLGAME-')[0]).toMatch(
      /^Will [A-Z][A-Za-z ]+ beat [A-Z][A-Za-z ]+ on [A-Z][a-z]{2} \d{1,2}\?$/,
    );
    expect(markets.find((m) => m.ticker.startsWith('KXHIGHNY-'))?.subtitle).toMatch(/^Above \d+°F$/);
  });

  it('builds the same catalogue for the same seed and end, whatever the number of users', () => {
    const again = run(3, 7, 10);
    expect(JSON.stringify(again.markets)).toBe(JSON.stringify(markets));
    const otherSeed = run(4, 7, 10);
    expect(JSON.stringify(otherSeed.markets)).not.toBe(JSON.stringify(markets));
  });
});
