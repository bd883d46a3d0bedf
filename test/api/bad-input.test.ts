import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
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

  it('answers a write without a body with 415', async () => {
    const res = await request(t.app).put('/v1/markets').set(auth);
    expect(res.status).toBe(415);
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
