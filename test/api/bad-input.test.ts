import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { putBitcoinSeriesAndEvent } from '../helpers/markets.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

const CLOSE = new Date(TEST_END.getTime() + DAY_MS).toISOString();
const TS = new Date(TEST_NOW.getTime() - HOUR_MS).toISOString();

describe("a client's mistakes are 4xx, never 5xx (#23 item 7)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi();
  });

  it('answers a Content-Encoding the server does not decode with 415', async () => {
    const res = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{"interactions":[]}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers an undecodable path with 400', async () => {
    const res = await request(t.app).get('/v1/users/%ED%A0%80/feed');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request' });
    expect(res.body.error.message).toMatch(/path/i);
  });

  it('answers a body that is not JSON with 415 naming the content type', async () => {
    const res = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .set('Content-Type', 'text/plain')
      .send('{"interactions":[]}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toContain('application/json');
  });

  it('answers a write without a body with 422 naming the batch it needs', async () => {
    const res = await request(t.app).put('/v1/markets').set(auth);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'body.markets', message: 'required: an array of markets' },
    ]);
  });

  it('answers an unsupported charset with 415', async () => {
    const res = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{"markets":[]}');
    expect(res.status).toBe(415);
  });
});

describe('no partial stores (#23 item 8)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi();
  });

  const putUsers = (users: unknown[], extra: Record<string, unknown> = {}) =>
    request(t.app)
      .put('/v1/users')
      .set(auth)
      .send({ users, ...extra });

  it.each([
    ['__proto__.x', 'a "." '],
    ['a.b', 'a "." '],
    ['$where', 'starts with "$"'],
    ['__proto__', 'reserved'],
    ['constructor', 'reserved'],
  ])('rejects the whole batch when an attribute key is %j, storing neither user', async (key) => {
    const body = `{"users":[{"userId":"good-${key}","attributes":{"tier":"gold"}},{"userId":"bad-${key}","attributes":{"${key}":"1"}}]}`;
    const res = await request(t.app)
      .put('/v1/users')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe(`users[1].attributes.${key}`);
    expect(
      await t.store.collection('users').countDocuments({ userId: { $in: [`good-${key}`, `bad-${key}`] } }),
    ).toBe(0);
  });

  it('accepts at most 64 attributes per user', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
    const res = await putUsers([{ userId: 'many', attributes }]);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ path: 'users[0].attributes' });
    expect(await t.store.collection('users').countDocuments({ userId: 'many' })).toBe(0);
  });

  it('rejects unknown top-level fields like unknown item fields', async () => {
    const res = await putUsers([{ userId: 'extra' }], { dryRun: true });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.dryRun' })]);
    expect(await t.store.collection('users').countDocuments({ userId: 'extra' })).toBe(0);
  });

  it('names the missing batch field', async () => {
    const res = await request(t.app).put('/v1/series').set(auth).send({});
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'body.series', message: 'required: an array of series' },
    ]);
  });
});

describe('plausible values only (#23 item 9)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi();
    await putBitcoinSeriesAndEvent(t.app);
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: [
          {
            ticker: 'KXBTC-26NOV22-T1',
            eventTicker: 'KXBTC-26NOV22',
            title: 'Above 1?',
            status: 'open',
            closeTime: CLOSE,
          },
        ],
      })
      .expect(200);
  });

  const click = (eventId: string, ts: string) => ({
    eventId,
    userId: 'plausible',
    ticker: 'KXBTC-26NOV22-T1',
    type: 'click',
    ts,
  });

  it.each([
    ['the end of time', '9999-12-31T00:00:00Z'],
    ['year one', '0001-01-01T00:00:00Z'],
    ['three years ahead', new Date(TEST_NOW.getTime() + 3 * 365 * DAY_MS).toISOString()],
    ['an hour ahead', new Date(TEST_NOW.getTime() + HOUR_MS).toISOString()],
    ['31 days ago', new Date(TEST_NOW.getTime() - 31 * DAY_MS).toISOString()],
  ])('rejects an interaction stamped %s, storing nothing of its batch', async (name, ts) => {
    const res = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [click(`ok-${name}`, TS), click(`bad-${name}`, ts)] });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: 'interactions[1].ts', message: expect.stringMatching(/between/) }),
    ]);
    expect(await t.store.collection('interactions').countDocuments({ userId: 'plausible' })).toBe(0);
  });

  it('accepts a late interaction inside the window and a clock a minute fast', async () => {
    const late = new Date(TEST_NOW.getTime() - 29 * DAY_MS).toISOString();
    const fast = new Date(TEST_NOW.getTime() + 60_000).toISOString();
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [click('late', late), click('fast', fast)] })
      .expect(200);
  });

  it('takes the window from the config', async () => {
    const strict = await makeTestApi({ config: { INGEST_TS_MAX_AGE_DAYS: 1 }, store: t.store });
    const res = await request(strict.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [click('two-days', new Date(TEST_NOW.getTime() - 2 * DAY_MS).toISOString())] });
    expect(res.status).toBe(422);
  });

  it('rejects a market closing before it opens', async () => {
    const res = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: [
          {
            ticker: 'KXBTC-26NOV22-BACKWARDS',
            eventTicker: 'KXBTC-26NOV22',
            title: 'Backwards',
            status: 'open',
            openTime: CLOSE,
            closeTime: TS,
          },
        ],
      });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ path: 'markets[0].closeTime' });
    expect(await t.store.collection('markets').countDocuments({ ticker: 'KXBTC-26NOV22-BACKWARDS' })).toBe(0);
  });

  it('answers a market of an unknown event without a category of its own with unknown_reference', async () => {
    const res = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: [
          {
            ticker: 'ORPHAN-1',
            eventTicker: 'NO-SUCH-EVENT',
            title: 'Orphan',
            status: 'open',
            closeTime: CLOSE,
          },
        ],
      });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_reference');
    expect(res.body.error.details[0]).toMatchObject({ path: 'markets[0].eventTicker' });
    expect(await t.store.collection('markets').countDocuments({ ticker: 'ORPHAN-1' })).toBe(0);
  });
});
