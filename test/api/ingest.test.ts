import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { putBitcoinSeriesAndEvent } from '../helpers/markets.js';
import type { CollectionName } from '../../src/store/collections.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

/** A close a day after TEST_END, and a click two hours before the API's now (TEST_NOW). */
const CLOSE = new Date(TEST_END.getTime() + DAY_MS);
const TS = new Date(TEST_NOW.getTime() - 2 * HOUR_MS);

const market = (ticker: string, extra: Record<string, unknown> = {}) => ({
  ticker,
  eventTicker: 'KXBTC-26NOV22',
  title: `Bitcoin above ${ticker}?`,
  status: 'open',
  closeTime: CLOSE.toISOString(),
  ...extra,
});

const interaction = (eventId: string, extra: Record<string, unknown> = {}) => ({
  eventId,
  userId: 'user-1',
  ticker: 'KXBTC-26NOV22-T95000',
  type: 'click',
  ts: TS.toISOString(),
  ...extra,
});

describe('ingestion API', () => {
  let t: TestApi;
  const count = (name: CollectionName) => t.store.collection(name).countDocuments();

  beforeEach(async () => {
    t = await makeTestApi();
    await putBitcoinSeriesAndEvent(t.app);
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({ markets: [market('KXBTC-26NOV22-T95000'), market('KXBTC-26NOV22-T96000')] })
      .expect(200);
  });

  it('requires an API key on writes and leaves the feed open', async () => {
    const noKey = await request(t.app)
      .post('/v1/interactions')
      .send({ interactions: [interaction('a')] });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe('unauthorized');
    const badKey = await request(t.app)
      .put('/v1/markets')
      .set('Authorization', 'Bearer wrong')
      .send({ markets: [market('X')] });
    expect(badKey.status).toBe(401);
    await request(t.app).get('/v1/users/user-1/feed').expect(200);
    expect(await count('interactions')).toBe(0);
  });

  it('upserts the catalogue and fills categories from the event and series', async () => {
    const stored = await t.store.collection('markets').findOne({ ticker: 'KXBTC-26NOV22-T95000' });
    expect(stored).toMatchObject({ category: 'Crypto', seriesTicker: 'KXBTC', status: 'open' });
    expect(stored?.closeTime).toEqual(CLOSE);

    const again = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({ markets: [{ ...market('KXBTC-26NOV22-T95000'), status: 'closed', lastPrice: 0.42 }] })
      .expect(200);
    expect(again.body).toEqual({ received: 1, inserted: 0, updated: 1 });
    const updated = await t.store.collection('markets').findOne({ ticker: 'KXBTC-26NOV22-T95000' });
    expect(updated).toMatchObject({ status: 'closed', lastPrice: 0.42, category: 'Crypto' });
    expect(await count('markets')).toBe(2);
  });

  it('stores each interaction once by eventId, however often a batch is replayed', async () => {
    const batch = {
      interactions: [
        interaction('e1'),
        interaction('e2', { type: 'trade', side: 'yes', contracts: 3, price: 0.4 }),
      ],
    };
    const first = await request(t.app).post('/v1/interactions').set(auth).send(batch).expect(200);
    expect(first.body).toEqual({ received: 2, inserted: 2, duplicates: 0 });
    const replay = await request(t.app).post('/v1/interactions').set(auth).send(batch).expect(200);
    expect(replay.body).toEqual({ received: 2, inserted: 0, duplicates: 2 });
    const withinBatch = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [interaction('e3'), interaction('e3', { type: 'view' })] })
      .expect(200);
    expect(withinBatch.body).toEqual({ received: 2, inserted: 1, duplicates: 1 });
    expect(await count('interactions')).toBe(3);
    const trade = await t.store.collection('interactions').findOne({ eventId: 'e2' });
    expect(trade).toMatchObject({ type: 'trade', side: 'yes', contracts: 3, price: 0.4, userId: 'user-1' });
    expect(trade?.ts).toEqual(TS);
    expect(await t.store.collection('users').findOne({ userId: 'user-1' })).toMatchObject({
      lastSeenAt: TS,
    });
  });

  it('stores trades with exact integer money from Kalshi-style decimal strings', async () => {
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({
        interactions: [
          interaction('m1', { type: 'trade', side: 'yes', contracts: '12.50', price: '0.3333' }),
          // A price of 0.07 is 0.07000000000000000666 as a double; as micro-dollars it is 70,000.
          interaction('m2', { type: 'trade', side: 'no', contracts: 3, price: 0.07 }),
        ],
      })
      .expect(200);
    const stored = await t.store
      .collection('interactions')
      .find(
        { type: 'trade' },
        {
          sort: { eventId: 1 },
          projection: {
            _id: 0,
            eventId: 1,
            contracts: 1,
            price: 1,
            contractsHundredths: 1,
            priceMicros: 1,
            notionalMicros: 1,
          },
        },
      )
      .toArray();
    expect(stored).toEqual([
      // 12.5 × $0.3333 = $4.16625 exactly.
      {
        eventId: 'm1',
        contracts: 12.5,
        price: 0.3333,
        contractsHundredths: 1250,
        priceMicros: 333_300,
        notionalMicros: 4_166_250,
      },
      {
        eventId: 'm2',
        contracts: 3,
        price: 0.07,
        contractsHundredths: 300,
        priceMicros: 70_000,
        notionalMicros: 210_000,
      },
    ]);
  });

  const badBatches: [string, unknown[], number, string, string[]][] = [
    [
      'a wrong type',
      [interaction('ok1'), interaction('b1', { ts: 12345 })],
      422,
      'validation_failed',
      ['interactions[1].ts'],
    ],
    [
      'an unknown interaction type',
      [interaction('b2', { type: 'like' })],
      422,
      'validation_failed',
      ['interactions[0].type'],
    ],
    [
      'a missing eventId',
      [interaction('x', { eventId: undefined })],
      422,
      'validation_failed',
      ['interactions[0].eventId'],
    ],
    [
      'an unknown market',
      [interaction('ok2'), interaction('b3', { ticker: 'NOPE-1' })],
      422,
      'unknown_reference',
      ['interactions[1].ticker'],
    ],
    [
      'an unknown field',
      [interaction('b4', { userID: 'u' })],
      422,
      'validation_failed',
      ['interactions[0].userID'],
    ],
    [
      'trade fields on a click',
      [interaction('b5', { side: 'yes' })],
      422,
      'validation_failed',
      ['interactions[0].type'],
    ],
    [
      'a trade without its money',
      [interaction('b8', { type: 'trade', side: 'yes' })],
      422,
      'validation_failed',
      ['interactions[0].contracts', 'interactions[0].price'],
    ],
    [
      // 0.1 + 0.2 is 0.30000000000000004: refused rather than rounded to a price nobody sent.
      'trade money that is not an exact decimal',
      [
        interaction('b9', { type: 'trade', side: 'no', contracts: '1.005', price: 0.1 + 0.2 }),
        interaction('b10', { type: 'trade', side: 'no', contracts: '0', price: '1.5' }),
        interaction('b11', { type: 'trade', side: 'no', contracts: '-2', price: '4e-1' }),
      ],
      422,
      'validation_failed',
      [
        'interactions[0].contracts',
        'interactions[0].price',
        'interactions[1].contracts',
        'interactions[1].price',
        'interactions[2].contracts',
        'interactions[2].price',
      ],
    ],
    [
      // BSON stores UTF-8, where both would become "RPSUR2-\uFFFD": one id on disk for two events.
      'ids with lone UTF-16 surrogates',
      [interaction('RPSUR2-\ud800'), interaction('RPSUR2-\udbff', { userId: 'u-\udc00' })],
      422,
      'validation_failed',
      ['interactions[0].eventId', 'interactions[1].eventId', 'interactions[1].userId'],
    ],
    [
      'several bad items',
      [
        interaction('b6', { type: 'like' }),
        interaction('ok3'),
        interaction('b7', { ts: 'yesterday', userId: '' }),
      ],
      422,
      'validation_failed',
      ['interactions[0].type', 'interactions[2].userId', 'interactions[2].ts'],
    ],
  ];

  it.each(badBatches)(
    'rejects a batch with %s, naming each field, and stores nothing',
    async (_, items, status, code, paths) => {
      const res = await request(t.app).post('/v1/interactions').set(auth).send({ interactions: items });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...paths].sort());
      expect(res.body.error.message).toMatch(/nothing was stored/);
      expect(await count('interactions')).toBe(0);
    },
  );

  it('rejects an oversized batch with 413', async () => {
    const small = await makeTestApi({ maxBatch: 3, store: t.store });
    const res = await request(small.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: ['a', 'b', 'c', 'd'].map((id) => interaction(id)) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'batch_too_large', details: [{ path: 'interactions' }] });
    expect(await count('interactions')).toBe(0);
  });

  it('rejects malformed JSON and bodies of the wrong shape', async () => {
    const malformed = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"interactions": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');

    const notArray = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: { eventId: 'x' } });
    expect(notArray.status).toBe(422);
    expect(notArray.body.error.details[0].path).toBe('interactions');

    const wrongKey = await request(t.app).put('/v1/markets').set(auth).send({ items: [] });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.error.details[0].path).toBe('body.markets');
  });

  it('rejects a bad catalogue item without touching stored markets', async () => {
    const res = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: [
          market('KXBTC-26NOV22-T95000', { status: 'closed' }),
          market('BAD', { status: 'halted', yesBid: 1.5 }),
        ],
      });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'markets[1].status',
      'markets[1].yesBid',
    ]);
    expect((await t.store.collection('markets').findOne({ ticker: 'KXBTC-26NOV22-T95000' }))?.status).toBe(
      'open',
    );
    expect(await count('markets')).toBe(2);
  });

  it('answers unknown routes with a 404 error body', async () => {
    const res = await request(t.app).get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('users API', () => {
  it('upserts targeting attributes key by key, and gives attribute-less users an empty set', async () => {
    const t = await makeTestApi();
    await request(t.app)
      .put('/v1/users')
      .set(auth)
      .send({ users: [{ userId: 'ada', attributes: { country: 'US', tier: 'pro' } }, { userId: 'bob' }] })
      .expect(200, { received: 2, inserted: 2, updated: 0 });
    await request(t.app)
      .put('/v1/users')
      .set(auth)
      .send({ users: [{ userId: 'ada', attributes: { tier: 'free' } }] })
      .expect(200, { received: 1, inserted: 0, updated: 1 });
    const users = await t.store
      .collection('users')
      .find({}, { sort: { userId: 1 }, projection: { _id: 0, userId: 1, attributes: 1 } })
      .toArray();
    expect(users).toEqual([
      { userId: 'ada', attributes: { country: 'US', tier: 'free' } },
      { userId: 'bob', attributes: {} },
    ]);
  });
});
