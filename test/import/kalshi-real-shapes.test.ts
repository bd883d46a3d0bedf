import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../src/ingest/import/import-file.js';
import { importFixturePerTest, stored } from './helpers.js';

/**
 * Kalshi's markets as its v2 API served them, built from the objects its public docs define
 * (test/exchange/fixtures/kalshi-documented.json): a market's own `title` is empty and the question
 * is its event's, 2024 objects quote integer cents (`yes_bid: 35`) with the outcome in `subtitle`,
 * newer ones `*_dollars` strings with it in `yes_sub_title`.
 */
const documented = JSON.parse(
  await readFile(
    fileURLToPath(new URL('../exchange/fixtures/kalshi-documented.json', import.meta.url)),
    'utf8',
  ),
).rest as {
  market: Record<string, unknown>;
  event: Record<string, unknown>;
  series: Record<string, unknown>;
};

const NEWER_ONLY = /(_dollars|_fp)$|^(yes_sub_title|no_sub_title|price_ranges|price_level_structure)$/;

/** A 2024 market: integer cents and counts, the outcome in `subtitle`, no `*_dollars` fields. */
function legacyMarket(
  n: number,
  status: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const old = Object.fromEntries(Object.entries(documented.market).filter(([k]) => !NEWER_ONLY.test(k)));
  return {
    ...old,
    ticker: `INXD-23SEP14-B${n}`,
    title: '',
    subtitle: `Band ${n}`,
    status,
    yes_bid: 35,
    yes_ask: 37,
    last_price: 36,
    volume: 33896,
    volume_24h: 1250,
    open_interest: 20422,
    liquidity: 123456,
    ...extra,
  };
}

/** A current market: `*_dollars` strings, an empty `title`, the outcome in `yes_sub_title`. */
function newerMarket(n: number, status: string): Record<string, unknown> {
  return {
    ...documented.market,
    ticker: `INXD-23SEP14-C${n}`,
    title: '',
    subtitle: '',
    yes_sub_title: `Up ${n}%+`,
    status,
  };
}

const STATUSES = [
  ['initialized', 'unopened'],
  ['active', 'open'],
  ['closed', 'closed'],
  ['determined', 'settled'],
  ['finalized', 'settled'],
] as const;

describe('real Kalshi objects import (#23 item 10)', () => {
  const { store, tmp } = importFixturePerTest();

  async function importAll(markets: Record<string, unknown>[]) {
    const dir = tmp();
    await importFile(
      store(),
      await dir.write('series.json', JSON.stringify({ series: [{ ...documented.series, ticker: 'INXD' }] })),
    );
    await importFile(store(), await dir.write('events.json', JSON.stringify({ events: [documented.event] })));
    return importFile(store(), await dir.write('markets.json', JSON.stringify({ markets, cursor: '' })));
  }

  it('imports markets without titles of their own, taking the question from their event', async () => {
    const markets = STATUSES.flatMap(([kalshi], i) => [legacyMarket(i, kalshi), newerMarket(i, kalshi)]);
    const result = await importAll(markets);
    expect(result.issues).toEqual([]);
    expect(result).toMatchObject({ read: 10, inserted: 10, rejected: 0 });

    const byTicker = new Map((await stored(store(), 'markets', 'ticker')).map((m) => [m.ticker, m]));
    STATUSES.forEach(([, ours], i) => {
      const legacy = byTicker.get(`INXD-23SEP14-B${i}`);
      expect(legacy).toMatchObject({
        title: 'S&P 500 daily return on Sep 14',
        subtitle: `Band ${i}`,
        status: ours,
        category: 'Financials',
        yesBid: 0.35,
        yesAsk: 0.37,
        lastPrice: 0.36,
        volume: 33896,
        volume24h: 1250,
        liquidity: 1234.56,
      });
      expect(byTicker.get(`INXD-23SEP14-C${i}`)).toMatchObject({
        title: 'S&P 500 daily return on Sep 14',
        subtitle: `Up ${i}%+`,
        status: ours,
        yesBid: 0.56,
        yesAsk: 0.58,
        lastPrice: 0.57,
        volume24h: 1250,
      });
    });
  });

  it('keeps a market title Kalshi does give', async () => {
    await importAll([{ ...documented.market }]);
    const [market] = await stored(store(), 'markets', 'ticker');
    expect(market).toMatchObject({
      title: 'S&P 500 closes up by 0.02% or more',
      subtitle: 'S&P 500 closes up 0.02%+',
    });
  });

  it('falls back on the outcome when the event is not known yet, and reports a market with neither', async () => {
    const dir = tmp();
    const result = await importFile(
      store(),
      await dir.write(
        'markets.json',
        JSON.stringify({
          markets: [legacyMarket(1, 'active'), legacyMarket(2, 'active', { subtitle: '' })],
        }),
      ),
    );
    expect(result).toMatchObject({ read: 2, inserted: 1, rejected: 1 });
    expect(result.issues).toEqual([
      expect.objectContaining({ field: 'title', message: expect.stringMatching(/event/) }),
    ]);
    expect((await stored(store(), 'markets', 'ticker'))[0]).toMatchObject({ title: 'Band 1' });
  });
});
