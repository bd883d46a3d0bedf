import { describe, expect, it } from 'vitest';
import type { CatalogueChanges } from '../../src/feed/catalogue/market-catalogue.js';
import { coll } from '../../src/store/collections.js';
import { makeTestApi } from '../helpers/api.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';

const markets = cryptoAndSportsMarkets(6, {
  volume24h: (i) => 1000 - i * 100,
  openTime: new Date(TEST_END.getTime() - DAY_MS).toISOString(),
}).map((m) => ({
  ...m,
  status: 'open' as const,
  openTime: new Date(m.openTime),
  closeTime: new Date(m.closeTime),
  lastPrice: 0.5,
  createdAt: TEST_END,
  updatedAt: TEST_END,
}));

async function setUp() {
  const api = await makeTestApi();
  await coll(api.store, 'markets').insertMany(markets.map((m) => ({ ...m })));
  await api.catalogue.reload();
  const seen: Omit<CatalogueChanges, 'snapshot'>[] = [];
  api.catalogue.onChange(({ snapshot: _s, ...changes }) => seen.push(changes));
  return { api, seen, markets: coll(api.store, 'markets') };
}

describe('catalogue changes', () => {
  it('a full reload reports markets that left (with their status), were listed, or were repriced', async () => {
    const { api, seen, markets: stored } = await setUp();
    await stored.updateOne({ ticker: 'M-0' }, { $set: { status: 'settled' } });
    await stored.updateOne({ ticker: 'M-1' }, { $set: { lastPrice: 0.61 } });
    await stored.updateOne({ ticker: 'M-2' }, { $set: { volume24h: 5 } }); // no price change
    await stored.insertOne({ ...markets[3]!, ticker: 'M-NEW', eventTicker: 'E-NEW' });
    await api.catalogue.reload();
    expect(seen).toEqual([
      { removed: [{ ticker: 'M-0', status: 'settled' }], listed: ['M-NEW'], repriced: ['M-1'] },
    ]);
    await api.catalogue.reload();
    expect(seen).toHaveLength(1); // nothing changed, nothing reported
  });

  it('a refresh by tickers reads just those markets, keeps the others as they were, and reports the same way', async () => {
    const { api, seen, markets: stored } = await setUp();
    const before = api.catalogue.peek()!;
    await stored.updateOne({ ticker: 'M-0' }, { $set: { status: 'paused' } });
    await stored.updateOne({ ticker: 'M-1' }, { $set: { lastPrice: 0.3 } });
    await stored.updateOne({ ticker: 'M-2' }, { $set: { lastPrice: 0.9 } }); // not named: not read
    await stored.insertOne({ ...markets[3]!, ticker: 'M-NEW', eventTicker: 'E-NEW', volume24h: 5000 });
    const after = await api.catalogue.refreshMarkets(['M-0', 'M-1', 'M-NEW']);
    expect(seen).toEqual([
      { removed: [{ ticker: 'M-0', status: 'paused' }], listed: ['M-NEW'], repriced: ['M-1'] },
    ]);
    expect(after.byTicker.has('M-0')).toBe(false);
    expect(after.byTicker.get('M-1')!.lastPrice).toBe(0.3);
    expect(after.byTicker.get('M-2')).toBe(before.byTicker.get('M-2'));
    // Scored against the last full load: the most traded market is the most popular.
    expect(after.byTicker.get('M-NEW')!.popularity).toBeGreaterThan(after.byTicker.get('M-1')!.popularity);
    expect(after.loadedAt).toEqual(before.loadedAt);
  });
});
