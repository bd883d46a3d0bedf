import { readFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src/ingest/import/import-file.js';
import { fromKalshi, isKalshiShaped } from '../../src/ingest/import/kalshi.js';
import { formatIssue } from '../../src/ingest/import/report.js';
import type { Store } from '../../src/store/types.js';
import { fixture, importFixturePerTest, stored } from './helpers.js';

async function kalshiMarkets(): Promise<Record<string, unknown>[]> {
  return JSON.parse(await readFile(fixture('kalshi-markets.json'), 'utf8')).markets;
}

describe('Kalshi API objects', () => {
  it('maps a market: decimal-dollar strings to prices, decimal counts to numbers, outcome to subtitle', async () => {
    const [active] = await kalshiMarkets();
    expect(fromKalshi('markets', active!).value).toEqual({
      ticker: 'KXFED-26DEC-T4.25',
      eventTicker: 'KXFED-26DEC',
      title:
        "Will the upper bound of the federal funds rate be above 4.25% following the Fed's Dec 9, 2026 meeting?",
      subtitle: 'Above 4.25%',
      status: 'open',
      openTime: '2026-10-29T14:00:00Z',
      closeTime: '2026-12-09T18:55:00Z',
      expirationTime: '2026-12-10T15:00:00Z',
      yesBid: 0.42,
      yesAsk: 0.44,
      lastPrice: 0.43,
      volume: 152340,
      volume24h: 8120,
      openInterest: 60211,
      liquidity: 18450.25,
    });
  });

  it('reads the older integer-cent fields when the dollar and decimal ones are absent', async () => {
    const closed = (await kalshiMarkets())[4]!;
    expect(fromKalshi('markets', closed).value).toMatchObject({
      subtitle: '60° to 61°',
      status: 'closed',
      yesBid: 0.12,
      yesAsk: 0.15,
      lastPrice: 0.13,
      volume: 2300,
      volume24h: 120,
      openInterest: 900,
      liquidity: 450,
    });
    // The newer field wins when both are present.
    expect(
      fromKalshi('markets', { event_ticker: 'E', yes_bid: 10, yes_bid_dollars: '0.1100' }).value.yesBid,
    ).toBe(0.11);
  });

  it.each([
    ['initialized', 'unopened'],
    ['unopened', 'unopened'],
    ['active', 'open'],
    ['open', 'open'],
    ['inactive', 'paused'],
    ['paused', 'paused'],
    ['closed', 'closed'],
    ['disputed', 'closed'],
    ['determined', 'settled'],
    ['amended', 'settled'],
    ['finalized', 'settled'],
    ['settled', 'settled'],
    ['sideways', 'sideways'],
  ])('maps market status %s to %s', (kalshi, ours) => {
    expect(fromKalshi('markets', { event_ticker: 'E', status: kalshi }).value.status).toBe(ours);
  });

  it('tells Kalshi objects from ours', () => {
    expect(isKalshiShaped('markets', { ticker: 'M', event_ticker: 'E' })).toBe(true);
    expect(isKalshiShaped('markets', { ticker: 'M', eventTicker: 'E' })).toBe(false);
    expect(isKalshiShaped('events', { event_ticker: 'E', series_ticker: 'S' })).toBe(true);
    expect(
      isKalshiShaped('series', { ticker: 'S', title: 'T', category: 'C', contract_url: 'https://x' }),
    ).toBe(true);
    expect(isKalshiShaped('series', { ticker: 'S', title: 'T', category: 'C', tags: [] })).toBe(false);
    expect(isKalshiShaped('interactions', { event_ticker: 'E' })).toBe(false);
  });
});

describe('importing Kalshi API responses', () => {
  const fixtures = importFixturePerTest();
  let store: Store;
  let tmp: ReturnType<typeof fixtures.tmp>;
  beforeEach(() => {
    store = fixtures.store();
    tmp = fixtures.tmp();
  });

  it('imports series, events and markets responses, the type told by their envelopes', async () => {
    // Named so that only the envelope tells the type.
    const copy = async (name: string, as: string) => tmp.write(as, await readFile(fixture(name), 'utf8'));
    const results = [
      await importFile(store, await copy('kalshi-series.json', 'page-1.json')),
      await importFile(store, await copy('kalshi-events.json', 'page-2.json')),
      await importFile(store, await copy('kalshi-markets.json', 'page-3.json')),
    ];

    expect(results.map((r) => [r.type, r.read, r.inserted, r.rejected])).toEqual([
      ['series', 2, 2, 0],
      ['events', 2, 2, 0],
      ['markets', 5, 5, 0],
    ]);
    expect(await stored(store, 'series', 'ticker')).toEqual([
      {
        ticker: 'KXFED',
        title: 'Fed funds rate',
        category: 'Economics',
        tags: ['Fed', 'Interest rates'],
        frequency: 'custom',
      },
      {
        ticker: 'KXHIGHNY',
        title: 'Highest temperature in NYC today',
        category: 'Climate and Weather',
        frequency: 'daily',
      },
    ]);
    expect((await stored(store, 'events', 'eventTicker'))[0]).toEqual({
      eventTicker: 'KXFED-26DEC',
      seriesTicker: 'KXFED',
      title: 'Fed decision in Dec 2026?',
      subtitle: 'On Dec 9, 2026',
      category: 'Economics',
      mutuallyExclusive: true,
    });
    const markets = await stored(store, 'markets', 'ticker');
    expect(markets.map((m) => [m.ticker, m.status, m.category, m.seriesTicker])).toEqual([
      ['KXFED-26DEC-T4.00', 'paused', 'Economics', 'KXFED'],
      ['KXFED-26DEC-T4.25', 'open', 'Economics', 'KXFED'],
      ['KXFED-26DEC-T4.50', 'unopened', 'Economics', 'KXFED'],
      ['KXHIGHNY-26NOV20-B58.5', 'settled', 'Climate and Weather', 'KXHIGHNY'],
      ['KXHIGHNY-26NOV20-B60.5', 'closed', 'Climate and Weather', 'KXHIGHNY'],
    ]);
    expect(markets[1]).toMatchObject({
      closeTime: new Date('2026-12-09T18:55:00Z'),
      yesBid: 0.42,
      volume: 152340,
      liquidity: 18450.25,
    });
    // `latest_expiration_time` stands in when `expiration_time` is absent.
    expect(markets[2]?.expirationTime).toEqual(new Date('2026-12-16T15:00:00Z'));
  });

  it('gives markets their category when their events arrive after them', async () => {
    await importFile(store, fixture('kalshi-markets.json'));
    expect((await stored(store, 'markets', 'ticker')).map((m) => m.category)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);

    await importFile(store, fixture('kalshi-events.json'));

    expect((await stored(store, 'markets', 'ticker')).map((m) => m.category)).toEqual([
      'Economics',
      'Economics',
      'Economics',
      'Climate and Weather',
      'Climate and Weather',
    ]);
  });

  it('imports JSONL whose lines are Kalshi markets, reporting bad values under Kalshi field names', async () => {
    const [first, second, third] = await kalshiMarkets();
    const path = await tmp.write(
      'markets.jsonl',
      [
        JSON.stringify(first),
        JSON.stringify({ ...second, yes_bid_dollars: 'n/a', status: 'halted' }),
        JSON.stringify({ ...third, close_time: null }),
        JSON.stringify({
          ticker: 'KXOURS-1',
          eventTicker: 'KXOURS',
          title: 'Ours',
          status: 'open',
          closeTime: '2026-12-01T00:00:00Z',
        }),
      ].join('\n'),
    );

    const result = await importFile(store, path);

    expect(result.issues.map((i) => formatIssue('f', i))).toEqual([
      'f: line 2: status: Invalid option: expected one of "unopened"|"open"|"paused"|"closed"|"settled"',
      'f: line 2: yes_bid_dollars: Invalid input: expected number, received string',
      'f: line 3: close_time: Invalid input: expected string, received undefined',
    ]);
    expect(result).toMatchObject({ read: 4, inserted: 2, rejected: 2 });
  });
});
