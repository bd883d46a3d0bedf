import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestReport, listReports } from '../../src/reports/daily-reports.js';
import { runDailyReport, UnreconciledReportError } from '../../src/reports/run-daily-report.js';
import { interactionInput } from '../../src/domain/schemas.js';
import { writeInteractions } from '../../src/ingest/interaction-writer.js';
import type { Store } from '../../src/store/types.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';
import { buildReport } from '../../src/reports/build-report.js';
import { CATEGORIES, DAY, randomStream, SETTINGS } from './report-events.js';

const at = (hours: number) => new Date(DAY.start.getTime() + hours * HOUR_MS);
const OPTIONS = {
  date: DAY.date,
  timeZone: 'America/New_York',
  cutoff: '00:00',
  settings: { windowHours: 24, clickThroughOnly: false },
};
const served = {
  surface: 'feed',
  ranker: 'two-tower',
  rankerVersion: 3,
  model: 'tt-1',
  experiment: { key: 'rankers', variation: 'treatment' },
};

/** Interactions stored as ingestion stores them (validated, exact money), with what served their feed. */
async function ingest(store: Store, receivedAt: Date, items: Record<string, unknown>[]) {
  const parsed = items.map((i) => interactionInput.parse({ userId: 'u1', ticker: 'M-1', ...i }));
  await writeInteractions(
    store,
    parsed.map((p) => (p.feedId ? { ...p, attribution: served } : p)),
    receivedAt,
  );
}

describe('daily-report over the store', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore();
    await store.collection('markets').insertMany([
      { ticker: 'M-1', eventTicker: 'E-1', title: 'One', category: 'Economics', status: 'open' },
      { ticker: 'M-2', eventTicker: 'E-2', title: 'Two', category: 'Crypto', status: 'open' },
    ]);
    await ingest(store, at(12), [
      { eventId: 'i1', type: 'impression', ts: at(1).toISOString(), feedId: 'f1', position: 0 },
      { eventId: 'c1', type: 'click', ts: at(2).toISOString(), feedId: 'f1', position: 0 },
      {
        eventId: 't1',
        type: 'trade',
        ts: at(3).toISOString(),
        side: 'yes',
        contracts: '10.00',
        price: '0.4200',
      },
      {
        eventId: 't2',
        type: 'trade',
        ticker: 'M-2',
        ts: at(4).toISOString(),
        side: 'no',
        contracts: '2.50',
        price: '0.3333',
      },
      // The next day's trade is not this day's.
      { eventId: 't3', type: 'trade', ts: at(25).toISOString(), side: 'no', contracts: '1', price: '0.5' },
    ]);
  });
  afterEach(() => store.close());

  it('reports the day, ties out and keeps one version however often it is run', async () => {
    const first = await runDailyReport(store, { ...OPTIONS, now: at(26) });
    expect(first.created).toBe(true);
    const report = first.report;
    expect(report).toMatchObject({ date: DAY.date, version: 1, status: 'reconciled', restates: null });
    expect(report.rows).toEqual([
      {
        surface: 'feed',
        ranker: 'two-tower',
        rankerVersion: 3,
        model: 'tt-1',
        experiment: 'rankers',
        variation: 'treatment',
        category: 'Economics',
        impressions: 1,
        clicks: 1,
        ctr: 1,
        trades: 1,
        traders: 1,
        contracts: '10.00',
        notional: '4.200000',
        // The click at position 0 is the last touch.
        meanPosition: 0,
      },
    ]);
    expect(report.organic).toEqual({ trades: 1, traders: 1, contracts: '2.50', notional: '0.833250' });
    expect(report.total).toEqual({ trades: 2, traders: 1, contracts: '12.50', notional: '5.033250' });
    expect(report.tieOut).toEqual({ reconciled: true, breaks: [] });

    const again = await runDailyReport(store, { ...OPTIONS, now: at(30) });
    expect(again.created).toBe(false);
    expect(again.report.version).toBe(1);
    expect(await store.collection('daily_reports').countDocuments()).toBe(1);
  });

  it('restates a day when late events arrive: version 2 with its differences, version 1 kept as it was', async () => {
    const v1 = (await runDailyReport(store, { ...OPTIONS, now: at(26) })).report;
    // An impression that moves t2 to a feed, and a trade the client sent a day late.
    await ingest(store, at(48), [
      {
        eventId: 'i2',
        type: 'impression',
        ticker: 'M-2',
        ts: at(3.5).toISOString(),
        feedId: 'f1',
        position: 4,
      },
      {
        eventId: 't4',
        type: 'trade',
        ts: at(20).toISOString(),
        side: 'yes',
        contracts: '1.00',
        price: '0.9900',
      },
    ]);
    const { report: v2, created } = await runDailyReport(store, { ...OPTIONS, now: at(49) });
    expect(created).toBe(true);
    expect(v2).toMatchObject({ version: 2, status: 'reconciled' });
    expect(v2.restates?.version).toBe(1);
    expect(v2.restates?.basis).toBeNull();
    expect(v2.restates?.changes).toEqual({
      attributed: {
        trades: { before: '1', after: '3', delta: '2' },
        contracts: { before: '10.00', after: '13.50', delta: '3.50' },
        notional: { before: '4.200000', after: '6.023250', delta: '1.823250' },
      },
      organic: {
        trades: { before: '1', after: '0', delta: '-1' },
        traders: { before: '1', after: '0', delta: '-1' },
        contracts: { before: '2.50', after: '0.00', delta: '-2.50' },
        notional: { before: '0.833250', after: '0.000000', delta: '-0.833250' },
      },
      total: {
        trades: { before: '2', after: '3', delta: '1' },
        contracts: { before: '12.50', after: '13.50', delta: '1.00' },
        notional: { before: '5.033250', after: '6.023250', delta: '0.990000' },
      },
      rows: [
        expect.objectContaining({
          category: 'Crypto',
          change: 'added',
          measures: {
            impressions: { before: '0', after: '1', delta: '1' },
            trades: { before: '0', after: '1', delta: '1' },
            traders: { before: '0', after: '1', delta: '1' },
            contracts: { before: '0', after: '2.50', delta: '2.50' },
            notional: { before: '0', after: '0.833250', delta: '0.833250' },
          },
        }),
        expect.objectContaining({
          category: 'Economics',
          change: 'changed',
          measures: {
            trades: { before: '1', after: '2', delta: '1' },
            contracts: { before: '10.00', after: '11.00', delta: '1.00' },
            notional: { before: '4.200000', after: '5.190000', delta: '0.990000' },
          },
        }),
      ],
      exceptions: { arrived_after_cutoff: { before: '0', after: '2', delta: '2' } },
    });
    expect(await latestReport(store, DAY.date, 1)).toEqual(v1);
    expect(await listReports(store, { limit: 10 })).toEqual([
      {
        date: DAY.date,
        latestVersion: 2,
        status: 'reconciled',
        versions: [
          expect.objectContaining({ version: 2, trades: 3, exceptions: 2 }),
          expect.objectContaining({ version: 1, trades: 2, exceptions: 0 }),
        ],
      },
    ]);
  });

  it('restates a day cut or attributed differently, saying how, even when no figure moved', async () => {
    await runDailyReport(store, { ...OPTIONS, now: at(26) });
    const recut = await runDailyReport(store, {
      ...OPTIONS,
      settings: { windowHours: 12, clickThroughOnly: true },
      now: at(27),
    });
    expect(recut.report.version).toBe(2);
    expect(recut.report.restates?.basis).toEqual({
      before: {
        timeZone: 'America/New_York',
        cutoff: '00:00',
        settings: { windowHours: 24, clickThroughOnly: false },
      },
      after: {
        timeZone: 'America/New_York',
        cutoff: '00:00',
        settings: { windowHours: 12, clickThroughOnly: true },
      },
    });
  });

  it('fails, stores the day as unreconciled and names the break when the store disagrees', async () => {
    // Written around the API: a notional the store's sum skips (text) but the report reads.
    await store.collection('interactions').insertOne({
      eventId: 'bad',
      userId: 'u2',
      ticker: 'M-1',
      type: 'trade',
      ts: at(5),
      receivedAt: at(12),
      contractsHundredths: 100,
      notionalMicros: '500000',
    });
    const run = runDailyReport(store, { ...OPTIONS, now: at(26) });
    await expect(run).rejects.toBeInstanceOf(UnreconciledReportError);
    await expect(run).rejects.toThrow(/notional 5.533250 ≠ 5.033250/);
    expect(await latestReport(store, DAY.date)).toMatchObject({ version: 1, status: 'unreconciled' });
  });

  it('refuses a day that has not ended, or that is not a date', async () => {
    await expect(runDailyReport(store, { ...OPTIONS, now: at(23) })).rejects.toThrow(/has not ended/);
    await expect(runDailyReport(store, { ...OPTIONS, date: '2026-02-30', now: at(30) })).rejects.toThrow(
      /not a date/,
    );
  });

  it.each([1, 2, 3, 4, 5])(
    'seed %i: a random stream through the store reports what the rules give for it, and ties out',
    async (seed) => {
      const events = randomStream(seed);
      // This stream alone, without the day set up for the other tests.
      await store.collection('interactions').deleteMany({});
      await store.collection('markets').deleteMany({});
      await store
        .collection('markets')
        .insertMany(
          [...CATEGORIES].map(([ticker, category]) => ({ ticker, eventTicker: `E-${ticker}`, category })),
        );
      await store.collection('interactions').insertMany(events.map((e) => ({ ...e })));
      // Two hours after the day: the stream's late events (an hour after it) are in.
      const { report } = await runDailyReport(store, {
        ...OPTIONS,
        settings: SETTINGS,
        now: new Date(DAY.end.getTime() + 2 * HOUR_MS),
      });
      const expected = buildReport(DAY, events, CATEGORIES, SETTINGS);
      expect(report.status).toBe('reconciled');
      expect(report).toMatchObject({
        rows: expected.rows,
        attributed: expected.attributed,
        organic: expected.organic,
        total: expected.total,
        exceptions: expected.exceptions,
      });
    },
  );
});
