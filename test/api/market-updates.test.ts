import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { putBitcoinSeriesAndEvent } from '../helpers/markets.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';

const OPEN = new Date(TEST_END.getTime() - DAY_MS).toISOString();
const CLOSE = new Date(TEST_END.getTime() + DAY_MS).toISOString();

const documented = JSON.parse(
  await readFile(
    fileURLToPath(new URL('../exchange/fixtures/kalshi-documented.json', import.meta.url)),
    'utf8',
  ),
).rest as { market: Record<string, unknown>; event: Record<string, unknown> };

describe('PUT /v1/markets: partial updates and Kalshi objects (#23 item 6)', () => {
  let t: TestApi;
  const put = (markets: unknown[]) => request(t.app).put('/v1/markets').set(auth).send({ markets });
  const storedMarket = (ticker: string) =>
    t.store.collection('markets').findOne({ ticker }, { projection: { _id: 0, createdAt: 0, updatedAt: 0 } });

  beforeEach(async () => {
    t = await makeTestApi();
    await putBitcoinSeriesAndEvent(t.app);
    await put([
      {
        ticker: 'KXBTC-26NOV22-T1',
        eventTicker: 'KXBTC-26NOV22',
        title: 'Above 1?',
        status: 'open',
        openTime: OPEN,
        closeTime: CLOSE,
        yesBid: 0.4,
      },
    ]).expect(200);
  });

  it('updates just the fields sent for a known market', async () => {
    const before = await storedMarket('KXBTC-26NOV22-T1');
    const res = await put([{ ticker: 'KXBTC-26NOV22-T1', status: 'closed' }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 1, inserted: 0, updated: 1 });
    expect(await storedMarket('KXBTC-26NOV22-T1')).toEqual({ ...before, status: 'closed' });
  });

  it('still requires the whole market for a new one, naming what is missing', async () => {
    const res = await put([
      { ticker: 'KXBTC-26NOV22-T1', yesBid: 0.5 },
      { ticker: 'KXBTC-26NOV22-NEW', status: 'open' },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'markets[1].closeTime',
      'markets[1].eventTicker',
      'markets[1].title',
    ]);
    expect((await storedMarket('KXBTC-26NOV22-T1'))?.yesBid).toBe(0.4);
    expect(await storedMarket('KXBTC-26NOV22-NEW')).toBeNull();
  });

  it('checks a partial close time against the stored open time', async () => {
    const res = await put([
      { ticker: 'KXBTC-26NOV22-T1', closeTime: new Date(TEST_END.getTime() - 2 * DAY_MS).toISOString() },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ path: 'markets[0].closeTime' });
  });

  it('rejects invalid values in a partial update by name', async () => {
    const res = await put([{ ticker: 'KXBTC-26NOV22-T1', status: 'halted', title: '' }]);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'markets[0].status',
      'markets[0].title',
    ]);
  });

  it("accepts Kalshi's market objects as sibyl import does, titles from their events", async () => {
    await request(t.app)
      .put('/v1/events')
      .set(auth)
      .send({
        events: [
          {
            eventTicker: 'INXD-23SEP14',
            seriesTicker: 'INXD',
            title: 'S&P 500 daily return on Sep 14',
            category: 'Financials',
          },
        ],
      })
      .expect(200);
    const res = await put([
      { ...documented.market, title: '', ticker: 'INXD-23SEP14-B1' },
      { ...documented.market, ticker: 'INXD-23SEP14-B2', status: 'finalized' },
    ]);
    expect(res.status).toBe(200);
    expect(await storedMarket('INXD-23SEP14-B1')).toMatchObject({
      eventTicker: 'INXD-23SEP14',
      title: 'S&P 500 daily return on Sep 14',
      subtitle: 'S&P 500 closes up 0.02%+',
      category: 'Financials',
      status: 'open',
      yesBid: 0.56,
      volume24h: 1250,
    });
    expect(await storedMarket('INXD-23SEP14-B2')).toMatchObject({
      title: 'S&P 500 closes up by 0.02% or more',
      status: 'settled',
    });
  });
});
