import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pullCatalogue } from '../../src/ingest/market-data/catalogue-pull.js';
import { writeMarketStatuses } from '../../src/ingest/catalogue-writer.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';

const NOW = TEST_NOW;
const h = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

describe('market catalogue sync', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('closes open markets past their close time and opens markets whose time has come', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await store.collection('markets').insertMany([
      { ticker: 'LATE', status: 'open', closeTime: h(-1) },
      { ticker: 'LIVE', status: 'open', closeTime: h(2) },
      { ticker: 'DUE', status: 'unopened', openTime: h(-0.5), closeTime: h(5) },
      { ticker: 'LATER', status: 'unopened', openTime: h(1), closeTime: h(5) },
    ]);
    expect(await writeMarketStatuses(store, NOW)).toEqual({ opened: 1, closed: 1 });
    const status = async (ticker: string) => (await store.collection('markets').findOne({ ticker }))?.status;
    expect([await status('LATE'), await status('LIVE'), await status('DUE'), await status('LATER')]).toEqual([
      'closed',
      'open',
      'open',
      'unopened',
    ]);
  });

  it('pulls Kalshi-shaped pages of a /markets endpoint by cursor and upserts what validates', async () => {
    const fixture = JSON.parse(
      await readFile(join(import.meta.dirname, '../import/fixtures/kalshi-markets.json'), 'utf8'),
    );
    const [first, ...rest] = fixture.markets as Record<string, unknown>[];
    const pages: Record<string, unknown> = {
      '': { markets: [first, { ticker: 'BROKEN', event_ticker: 'X', status: 'open' }], cursor: 'p2' },
      p2: { markets: rest, cursor: '' },
    };
    const seen: string[] = [];
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push(url.searchParams.get('cursor') ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(pages[url.searchParams.get('cursor') ?? '']));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/v2/markets`;

    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const result = await pullCatalogue(store, url, { now: NOW });
    expect(seen).toEqual(['', 'p2']);
    expect(result.pages).toBe(2);
    expect(result.markets).toEqual({
      received: rest.length + 2,
      inserted: rest.length + 1,
      updated: 0,
      rejected: 1,
    });
    const fed = await store.collection('markets').findOne({ ticker: 'KXFED-26DEC-T4.25' });
    expect(fed).toMatchObject({ status: 'open', yesBid: 0.42, volume24h: 8120, eventTicker: 'KXFED-26DEC' });
    expect(await store.collection('markets').findOne({ ticker: 'BROKEN' })).toBeNull();
    const again = await pullCatalogue(store, url, { now: NOW });
    expect(again.markets).toMatchObject({ inserted: 0, updated: rest.length + 1 });
  });
});
