import { describe, expect, it } from 'vitest';
import { buildReport, UNKNOWN_CATEGORY } from '../../src/reports/build-report.js';
import { units } from '../../src/reports/money-totals.js';
import type { ReportEvent } from '../../src/reports/report-types.js';
import { tieOut } from '../../src/reports/tie-out.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';
import { CATEGORIES, DAY, randomStream, SETTINGS, shuffled } from './report-events.js';

const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);

/** The rules written as plainly as possible, trade by trade: what each day trade should be attributed to. */
function oracle(events: ReportEvent[]) {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const trades = unique.filter((e) => e.type === 'trade' && e.ts >= DAY.start && e.ts < DAY.end);
  const attributed = new Map<string, string>();
  for (const t of trades) {
    const touches = unique
      .filter(
        (e) =>
          (e.type === 'impression' || e.type === 'click') &&
          e.userId === t.userId &&
          e.ticker === t.ticker &&
          e.attribution !== undefined &&
          e.feedIssue === undefined &&
          e.ts <= t.ts &&
          e.ts.getTime() >= t.ts.getTime() - 24 * HOUR_MS,
      )
      .sort(
        (a, b) =>
          b.ts.getTime() - a.ts.getTime() ||
          Number(b.type === 'click') - Number(a.type === 'click') ||
          (a.eventId < b.eventId ? -1 : 1),
      );
    const first = touches[0];
    if (first)
      attributed.set(t.eventId, `${first.attribution!.ranker}/${first.attribution!.experiment!.variation}`);
  }
  const sum = (list: ReportEvent[], f: 'contractsHundredths' | 'notionalMicros') =>
    list.reduce((s, t) => s + BigInt(t[f] ?? 0), 0n);
  return {
    trades,
    attributed,
    total: {
      trades: trades.length,
      contracts: sum(trades, 'contractsHundredths'),
      notional: sum(trades, 'notionalMicros'),
    },
  };
}

describe('the daily report over random interaction streams', () => {
  it.each(SEEDS)('seed %i: attributed + organic = all trades exactly, as the plain rules say', (seed) => {
    const events = randomStream(seed);
    const report = buildReport(DAY, events, CATEGORIES, SETTINGS);
    const expected = oracle(events);

    expect(report.total.trades).toBe(expected.total.trades);
    expect(units(report.total.contracts)).toBe(expected.total.contracts);
    expect(units(report.total.notional)).toBe(expected.total.notional);
    expect(report.attributed.trades + report.organic.trades).toBe(expected.total.trades);
    expect(units(report.attributed.contracts) + units(report.organic.contracts)).toBe(
      expected.total.contracts,
    );
    expect(units(report.attributed.notional) + units(report.organic.notional)).toBe(expected.total.notional);
    expect(report.attributed.trades).toBe(expected.attributed.size);
    // The streams are made to have both kinds, or the property says little.
    expect(report.attributed.trades).toBeGreaterThan(0);
    expect(report.organic.trades).toBeGreaterThan(0);

    // Rows split the attributed trades by what served them, each to the touch the rules pick.
    const byArm = new Map<string, number>();
    for (const arm of expected.attributed.values()) byArm.set(arm, (byArm.get(arm) ?? 0) + 1);
    const rowsByArm = new Map<string, number>();
    for (const r of report.rows) {
      if (r.trades > 0)
        rowsByArm.set(
          `${r.ranker}/${r.variation}`,
          (rowsByArm.get(`${r.ranker}/${r.variation}`) ?? 0) + r.trades,
        );
    }
    expect(rowsByArm).toEqual(byArm);
    expect(report.rows.reduce((s, r) => s + units(r.notional), 0n)).toBe(units(report.attributed.notional));

    expect(tieOut(report, report.total)).toEqual({ reconciled: true, breaks: [] });
  });

  it.each(SEEDS)('seed %i: the same events shuffled and replayed give the same report', (seed) => {
    const events = randomStream(seed);
    const report = buildReport(DAY, events, CATEGORIES, SETTINGS);
    const replayed = shuffled([...events, ...events.filter((_, i) => i % 3 === 0)], seed);
    expect(buildReport(DAY, replayed, CATEGORIES, SETTINGS)).toEqual(report);
  });

  it.each(SEEDS)('seed %i: late events are counted once they arrive, and listed as late', (seed) => {
    const events = randomStream(seed);
    const late = events.filter((e) => e.receivedAt >= DAY.end);
    const onTime = events.filter((e) => e.receivedAt < DAY.end);
    const before = buildReport(DAY, onTime, CATEGORIES, SETTINGS);
    const after = buildReport(DAY, shuffled([...late, ...onTime], seed), CATEGORIES, SETTINGS);
    expect(before.exceptions.counts.arrived_after_cutoff).toBe(0);
    const lateInDay = late.filter((e) => e.ts >= DAY.start && e.ts < DAY.end);
    expect(after.exceptions.counts.arrived_after_cutoff).toBe(lateInDay.length);
    expect(after.total.trades - before.total.trades).toBe(lateInDay.filter((e) => e.type === 'trade').length);
    expect(after.attributed.trades + after.organic.trades).toBe(after.total.trades);
  });
});

describe('attribution rules', () => {
  const at = (hours: number) => new Date(DAY.start.getTime() + hours * HOUR_MS);
  const served = (ranker: string) => ({
    surface: 'feed' as const,
    ranker,
    rankerVersion: 2,
    model: null,
    experiment: null,
  });
  const exposure = (
    eventId: string,
    type: 'impression' | 'click',
    hours: number,
    ranker: string,
  ): ReportEvent => ({
    eventId,
    userId: 'u1',
    ticker: 'M0',
    type,
    ts: at(hours),
    receivedAt: at(hours),
    feedId: `feed-${ranker}`,
    position: 3,
    attribution: served(ranker),
  });
  const trade = (eventId: string, hours: number, extra: Partial<ReportEvent> = {}): ReportEvent => ({
    eventId,
    userId: 'u1',
    ticker: 'M0',
    type: 'trade',
    ts: at(hours),
    receivedAt: at(hours),
    contractsHundredths: 1000,
    notionalMicros: 4_200_000,
    ...extra,
  });
  const rankerOf = (events: ReportEvent[], settings = SETTINGS) =>
    buildReport(DAY, events, CATEGORIES, settings)
      .rows.filter((r) => r.trades > 0)
      .map((r) => r.ranker);

  it('goes to the last exposure before the trade within the window, else organic', () => {
    expect(
      rankerOf([exposure('a', 'impression', 1, 'old'), exposure('b', 'impression', 5, 'new'), trade('t', 6)]),
    ).toEqual(['new']);
    // An exposure after the trade does not count; one 25 hours before is outside a 24-hour window.
    expect(rankerOf([exposure('a', 'impression', 7, 'after'), trade('t', 6)])).toEqual([]);
    expect(rankerOf([exposure('a', 'impression', -19, 'stale'), trade('t', 6)])).toEqual([]);
    expect(rankerOf([exposure('a', 'impression', -18, 'edge'), trade('t', 6)])).toEqual(['edge']);
  });

  it('breaks a tie in time by click over impression, then by eventId', () => {
    expect(
      rankerOf([exposure('a', 'impression', 5, 'seen'), exposure('b', 'click', 5, 'clicked'), trade('t', 6)]),
    ).toEqual(['clicked']);
    expect(
      rankerOf([exposure('b', 'click', 5, 'second'), exposure('a', 'click', 5, 'first'), trade('t', 6)]),
    ).toEqual(['first']);
  });

  it('counts only clicks when click-through only', () => {
    const events = [
      exposure('a', 'click', 2, 'clicked'),
      exposure('b', 'impression', 5, 'seen'),
      trade('t', 6),
    ];
    expect(rankerOf(events)).toEqual(['seen']);
    expect(rankerOf(events, { windowHours: 24, clickThroughOnly: true })).toEqual(['clicked']);
  });

  it('lists exceptions with reason codes, each counted, and still ties out', () => {
    const report = buildReport(
      DAY,
      [
        { ...exposure('x1', 'impression', 1, 'r'), feedId: 'never-served', attribution: undefined },
        {
          ...exposure('x2', 'impression', 1, 'r'),
          feedId: 'feed-of-u2',
          attribution: undefined,
          feedIssue: 'served_to_another_user',
        },
        exposure('x3', 'click', 8, 'r'),
        trade('t1', 6, { feedId: 'feed-r' }),
        trade('t2', 6, { ticker: 'DELISTED' }),
        trade('t3', 7, { receivedAt: new Date(DAY.end.getTime() + 1) }),
        trade('t4', 7, { contractsHundredths: undefined, notionalMicros: undefined }),
      ],
      CATEGORIES,
      SETTINGS,
    );
    expect(report.exceptions.items.map((x) => [x.reason, x.eventId])).toEqual([
      ['arrived_after_cutoff', 't3'],
      ['exposure_after_trade', 't1'],
      ['feed_of_another_user', 'x2'],
      ['missing_money', 't4'],
      ['unknown_feed', 'x1'],
      ['unknown_market', 't2'],
    ]);
    expect(report.exceptions.counts).toMatchObject({ unknown_feed: 1, arrived_after_cutoff: 1 });
    expect(report.rows.find((r) => r.category === UNKNOWN_CATEGORY)).toBeUndefined();
    expect(report.organic.trades).toBe(4);
    expect(tieOut(report, report.total).reconciled).toBe(true);
  });

  it('takes what served a feed from its other exposures when one arrived after its snapshot expired', () => {
    const expired = { ...exposure('a', 'impression', 5, 'r'), attribution: undefined };
    const report = buildReport(
      DAY,
      [expired, exposure('b', 'impression', 2, 'r'), trade('t', 6)],
      CATEGORIES,
      SETTINGS,
    );
    expect(report.exceptions.counts.unknown_feed).toBe(0);
    expect(report.rows).toMatchObject([
      { ranker: 'r', impressions: 2, trades: 1, ctr: 0, notional: '4.200000', contracts: '10.00' },
    ]);
  });

  it('finds a break when the totals do not add up, naming the measure', () => {
    const report = buildReport(
      DAY,
      [exposure('a', 'click', 1, 'r'), trade('t', 2), trade('u', 3)],
      CATEGORIES,
      SETTINGS,
    );
    const storeSaw = { ...report.total, trades: 3, notional: '12.600000' };
    expect(tieOut(report, storeSaw)).toEqual({
      reconciled: false,
      breaks: [
        { measure: 'trades', attributedPlusOrganic: '2', total: '3' },
        { measure: 'notional', attributedPlusOrganic: '8.400000', total: '12.600000' },
      ],
    });
  });
});
