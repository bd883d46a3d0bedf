import { basename } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importFile, importSource, type ImportResult } from '../../src/ingest/import/import-file.js';
import { recordTypeFromFileName } from '../../src/ingest/import/record-types.js';
import { planDirectory, planImport } from '../../src/ingest/import/plan.js';
import type { Store } from '../../src/store/types.js';
import { fixture, importFixturePerTest, memoryStore, stored } from './helpers.js';

async function importDirectory(store: Store, dir: string): Promise<ImportResult[]> {
  const { sources } = await planDirectory(dir);
  const results: ImportResult[] = [];
  for (const source of sources) results.push(await importSource(store, source));
  return results;
}

const outcome = (r: ImportResult) => [
  basename(r.file),
  r.read,
  r.inserted,
  r.updated,
  r.duplicates,
  r.rejected,
];

async function snapshot(store: Store) {
  return {
    series: await stored(store, 'series', 'ticker'),
    events: await stored(store, 'events', 'eventTicker'),
    markets: await stored(store, 'markets', 'ticker'),
    users: await stored(store, 'users', 'userId'),
    interactions: await stored(store, 'interactions', 'eventId'),
  };
}

describe('import of JSONL, CSV and JSON files', () => {
  const fixtures = importFixturePerTest();
  let store: Store;
  let tmp: ReturnType<typeof fixtures.tmp>;
  beforeEach(() => {
    store = fixtures.store();
    tmp = fixtures.tmp();
  });

  it('imports what `sibyl simulate --out` writes, in dependency order', async () => {
    const results = await importDirectory(store, fixture('simulate-out'));

    expect(results.map(outcome)).toEqual([
      ['series.jsonl', 2, 2, 0, 0, 0],
      ['events.jsonl', 3, 3, 0, 0, 0],
      ['markets.jsonl', 4, 4, 0, 0, 0],
      ['users.jsonl', 3, 3, 0, 0, 0],
      ['interactions.csv', 7, 7, 0, 0, 0],
    ]);
    const { events, markets, users, interactions } = await snapshot(store);
    // An event without a category takes its series', and passes it on to its markets with the series ticker.
    expect(events.find((e) => e.eventTicker === 'KXCPI-27JAN')).toMatchObject({ category: 'Economics' });
    expect(markets.find((m) => m.ticker === 'KXCPI-27JAN-T3.0')).toMatchObject({
      category: 'Economics',
      seriesTicker: 'KXCPI',
      closeTime: new Date('2027-01-13T13:25:00Z'),
    });
    expect(users[0]).toEqual({ userId: 'user-1', attributes: { country: 'US', platform: 'ios' } });
    // Empty CSV cells are absent fields; numeric columns are numbers.
    expect(interactions.slice(0, 3)).toEqual([
      {
        eventId: 'ev-1',
        userId: 'user-1',
        ticker: 'KXCPI-26DEC-T3.0',
        type: 'impression',
        ts: new Date('2026-11-20T10:00:00Z'),
        feedId: 'feed-a',
        position: 0,
      },
      {
        eventId: 'ev-2',
        userId: 'user-1',
        ticker: 'KXCPI-26DEC-T3.0',
        type: 'click',
        ts: new Date('2026-11-20T10:00:05Z'),
        feedId: 'feed-a',
        position: 0,
      },
      {
        eventId: 'ev-3',
        userId: 'user-1',
        ticker: 'KXCPI-26DEC-T3.0',
        type: 'trade',
        ts: new Date('2026-11-20T10:01:00Z'),
        side: 'yes',
        contracts: 10,
        price: 0.33,
        // The CSV's "0.33" and "10", exactly: 10 contracts × $0.33 = $3.30.
        contractsHundredths: 1000,
        priceMicros: 330_000,
        notionalMicros: 3_300_000,
      },
    ]);
  });

  it('stores the same documents from CSV catalogue files and JSONL interactions', async () => {
    await importDirectory(store, fixture('simulate-out'));
    const other = await memoryStore();
    try {
      const results = await importDirectory(other, fixture('other-formats'));
      expect(results.map((r) => basename(r.file))).toEqual([
        'series.csv',
        'events.csv',
        'markets.csv',
        'users.csv',
        'interactions.jsonl',
      ]);
      expect(results.every((r) => r.rejected === 0)).toBe(true);
      expect(await snapshot(other)).toEqual(await snapshot(store));
    } finally {
      await other.close();
    }
  });

  it('stores nothing twice when the same files are imported again', async () => {
    await importDirectory(store, fixture('simulate-out'));
    const before = await snapshot(store);

    const again = await importDirectory(store, fixture('simulate-out'));

    expect(again.map(outcome)).toEqual([
      ['series.jsonl', 2, 0, 2, 0, 0],
      ['events.jsonl', 3, 0, 3, 0, 0],
      ['markets.jsonl', 4, 0, 4, 0, 0],
      ['users.jsonl', 3, 0, 3, 0, 0],
      ['interactions.csv', 7, 0, 0, 7, 0],
    ]);
    expect(await snapshot(store)).toEqual(before);
  });

  it('accepts a JSON document: an API request body, or an array when the type is named', async () => {
    await importFile(store, fixture('simulate-out', 'markets.jsonl'));
    const body = await tmp.write(
      'request.json',
      JSON.stringify({
        interactions: [
          {
            eventId: 'j-1',
            userId: 'user-9',
            ticker: 'KXCPI-26DEC-T3.0',
            type: 'view',
            ts: '2026-11-20T10:00:00Z',
          },
        ],
      }),
    );
    const array = await tmp.write(
      'page.json',
      JSON.stringify([
        {
          eventId: 'j-2',
          userId: 'user-9',
          ticker: 'KXCPI-26DEC-T3.0',
          type: 'click',
          ts: '2026-11-20T10:00:01Z',
        },
      ]),
    );

    expect(await importFile(store, body)).toMatchObject({ type: 'interactions', read: 1, inserted: 1 });
    await expect(importFile(store, array)).rejects.toThrow(
      /cannot tell which type of records this array holds/,
    );
    expect(await importFile(store, array, { type: 'interactions' })).toMatchObject({ read: 1, inserted: 1 });
  });

  it('writes in batches without losing or repeating records at the seams', async () => {
    const rows = Array.from({ length: 23 }, (_, i) =>
      JSON.stringify({ userId: `user-${i}`, attributes: { cohort: `c${i % 3}` } }),
    );
    const path = await tmp.write('users.jsonl', rows.join('\n') + '\n');
    const progress: number[] = [];

    const result = await importFile(store, path, { batchSize: 5, onProgress: (p) => progress.push(p.read) });

    expect(result).toMatchObject({ read: 23, inserted: 23, rejected: 0 });
    expect(progress).toEqual([5, 10, 15, 20, 23]);
    expect(await store.collection('users').countDocuments()).toBe(23);
  });

  it('stops after the batch in flight when aborted', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => JSON.stringify({ userId: `user-${i}` }));
    const path = await tmp.write('users.jsonl', rows.join('\n'));
    const abort = new AbortController();

    const result = await importFile(store, path, {
      batchSize: 5,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });

    expect(result).toMatchObject({ read: 5, inserted: 5, aborted: true });
    expect(await store.collection('users').countDocuments()).toBe(5);
  });
});

describe('telling what a file holds', () => {
  it.each([
    ['series.jsonl', 'series'],
    ['data/events.jsonl', 'events'],
    ['kalshi-markets.json', 'markets'],
    ['market_page_2.json', 'markets'],
    ['interactions-2026-05.csv', 'interactions'],
    ['Users.CSV', 'users'],
    ['dump.csv', undefined],
    ['events-and-markets.json', undefined],
  ])('%s → %s', (name, type) => {
    expect(recordTypeFromFileName(name)).toBe(type);
  });

  it('imports named files in dependency order and refuses unknown ones before writing anything', async () => {
    const plan = await planImport([
      fixture('simulate-out', 'interactions.csv'),
      fixture('simulate-out', 'markets.jsonl'),
      fixture('kalshi-events.json'),
    ]);
    expect(plan.map((s) => [basename(s.path), s.type])).toEqual([
      ['kalshi-events.json', 'events'],
      ['markets.jsonl', 'markets'],
      ['interactions.csv', 'interactions'],
    ]);
    await expect(planImport([fixture('simulate-out', 'markets.jsonl'), fixture('nope.csv')])).rejects.toThrow(
      /nope\.csv: no such file/,
    );
  });
});
