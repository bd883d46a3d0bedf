import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { issueUserToken } from '../../src/util/user-token.js';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import type { Config } from '../../src/config/env.js';
import type { FeedServiceOptions } from '../../src/feed/feed-service.js';
import { setUpExperiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { openTestStore } from '../helpers/store.js';

const SECRET = 'a-user-token-secret-of-at-least-32-chars';
const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });
const tokenOf = (userId: string) => issueUserToken(SECRET, userId, new Date(TEST_END.getTime() + DAY_MS));

async function setUp(
  config: Partial<Config>,
  assignment?: FeedServiceOptions['assignment'],
  more: Parameters<typeof makeTestApi>[0] = {},
): Promise<TestApi> {
  const t = await makeTestApi({ ...more, config, ...(assignment ? { assignment } : {}) });
  const markets = cryptoAndSportsMarkets(40, {
    volume24h: (i) => 1000 - i,
    openTime: new Date(TEST_NOW.getTime() - 10 * DAY_MS).toISOString(),
  });
  await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
  // "fan" traded three Crypto markets: their feed explains itself by that history.
  const trades = [1, 3, 5].map((i, n) => ({
    eventId: `fan-${i}`,
    userId: 'fan',
    ticker: `M-${i}`,
    type: 'trade',
    ts: new Date(TEST_NOW.getTime() - (n + 1) * HOUR_MS).toISOString(),
    side: 'yes',
    contracts: 5,
    price: 0.5,
  }));
  await request(t.app).post('/v1/interactions').set(auth).send({ interactions: trades }).expect(200);
  return t;
}

const reasonsOf = (body: { items: { reasons: string[] }[] }) => body.items.flatMap((i) => i.reasons);
const personal = /you (traded|follow|trade)|for you in|series you follow/;

describe('feeds with SIBYL_USER_TOKEN_SECRET set', () => {
  it('need the user’s token or an API key unless FEED_REQUIRE_USER_TOKEN=false', async () => {
    const t = await setUp({ SIBYL_USER_TOKEN_SECRET: SECRET });
    const anonymous = await request(t.app).get('/v1/users/fan/feed');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.details[0].path).toBe('authorization');
    expect(
      (
        await request(t.app)
          .get('/v1/users/fan/feed')
          .set(bearer(tokenOf('other')))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(t.app)
          .get('/v1/users/fan/feed')
          .set(bearer(tokenOf('fan')))
      ).status,
    ).toBe(200);
    expect((await request(t.app).get('/v1/users/fan/feed').set(auth)).status).toBe(200);
    // Tokens are not taken from the URL on feeds (they would end up in access logs).
    expect((await request(t.app).get(`/v1/users/fan/feed?token=${tokenOf('fan')}`)).status).toBe(401);
  });

  it('show reasons naming the user’s history only to that user or a server, never to an anonymous caller', async () => {
    const t = await setUp({ SIBYL_USER_TOKEN_SECRET: SECRET, FEED_REQUIRE_USER_TOKEN: false });
    const asUser = await request(t.app)
      .get('/v1/users/fan/feed?limit=20')
      .set(bearer(tokenOf('fan')));
    expect(asUser.status).toBe(200);
    expect(reasonsOf(asUser.body).some((r) => personal.test(r))).toBe(true);
    const asServer = await request(t.app).get('/v1/users/fan/feed?limit=20').set(auth).expect(200);
    expect(reasonsOf(asServer.body).some((r) => personal.test(r))).toBe(true);

    const anonymous = await request(t.app).get('/v1/users/fan/feed?limit=20').expect(200);
    expect(anonymous.body.items.length).toBe(asUser.body.items.length);
    expect(reasonsOf(anonymous.body).filter((r) => personal.test(r))).toEqual([]);
    for (const item of anonymous.body.items) expect(item.reasons.length).toBeGreaterThan(0);
    // Later pages of an anonymous feed are redacted too.
    const next = await request(t.app)
      .get('/v1/users/fan/feed')
      .query({ limit: 20, cursor: anonymous.body.nextCursor })
      .expect(200);
    expect(reasonsOf(next.body).filter((r) => personal.test(r))).toEqual([]);
    // A credential sent must be valid even where anonymous reads are allowed.
    expect((await request(t.app).get('/v1/users/fan/feed').set(bearer('wrong-key'))).status).toBe(401);
    expect(
      (
        await request(t.app)
          .get('/v1/users/fan/feed')
          .set(bearer(tokenOf('other')))
      ).status,
    ).toBe(403);
  });

  it('without user tokens configured, reasons are the feed’s own (there is no one to hide them from but servers)', async () => {
    const t = await setUp({});
    const anonymous = await request(t.app).get('/v1/users/fan/feed?limit=20').expect(200);
    expect(reasonsOf(anonymous.body).some((r) => personal.test(r))).toBe(true);
  });
});

describe('lists served to a user on other surfaces (?userId= on trending and similar)', () => {
  it('take that user’s token or an API key once tokens are configured: nobody records lists for someone else', async () => {
    const t = await setUp({ SIBYL_USER_TOKEN_SECRET: SECRET });
    for (const path of ['/v1/trending?userId=fan', '/v1/markets/M-1/similar?userId=fan']) {
      expect((await request(t.app).get(path)).status, path).toBe(401);
      expect(
        (
          await request(t.app)
            .get(path)
            .set(bearer(tokenOf('other')))
        ).status,
        path,
      ).toBe(403);
      const own = await request(t.app)
        .get(path)
        .set(bearer(tokenOf('fan')));
      expect(own.status, path).toBe(200);
      expect(own.body.feedId, path).toEqual(expect.any(String));
      expect((await request(t.app).get(path).set(auth)).body.feedId, path).toEqual(expect.any(String));
    }
    // Without a user, the lists stay open to anyone, and record nothing.
    const open = await request(t.app).get('/v1/trending');
    expect(open.status).toBe(200);
    expect(open.body.feedId).toBeUndefined();
  });
});

describe('experiment exposures', () => {
  it('are not logged for never-seen user ids asked for anonymously, and are for known users and authenticated callers', async () => {
    // GrowthBook logs an exposure (its tracking callback) on every assignment.
    const assigned: string[] = [];
    const t = await setUp(
      {},
      {
        assign: (userId) => {
          assigned.push(userId);
          return { ranker: 'trending', experiment: { key: 'ranker-test', variation: '1' } };
        },
      },
    );
    for (let i = 0; i < 20; i++) {
      const res = await request(t.app).get(`/v1/users/made-up-${i}/feed?limit=5`).expect(200);
      // Served all the same, by the default ranker, outside the experiment.
      expect(res.body.experiment).toBeNull();
      expect(res.body.items).toHaveLength(5);
    }
    expect(assigned).toEqual([]);

    // A user with stored interactions is known: anonymous reads of their feed are in the experiment.
    const known = await request(t.app).get('/v1/users/fan/feed?limit=5').expect(200);
    expect(known.body.experiment).toEqual({ key: 'ranker-test', variation: '1' });
    // So is one whose attributes were stored, and any id a server (an API key) asks for.
    await request(t.app)
      .put('/v1/users')
      .set(auth)
      .send({ users: [{ userId: 'registered', attributes: { country: 'US' } }] })
      .expect(200);
    await request(t.app).get('/v1/users/registered/feed?limit=5').expect(200);
    const byServer = await request(t.app).get('/v1/users/new-from-server/feed?limit=5').set(auth).expect(200);
    expect(byServer.body.experiment).toEqual({ key: 'ranker-test', variation: '1' });
    expect(assigned).toEqual(['fan', 'registered', 'new-from-server']);
  });

  it('are logged for a never-seen id that its own token asks for', async () => {
    const assigned: string[] = [];
    const t = await setUp(
      { SIBYL_USER_TOKEN_SECRET: SECRET },
      {
        assign: (userId) => {
          assigned.push(userId);
          return { ranker: 'trending', experiment: { key: 'ranker-test', variation: '0' } };
        },
      },
    );
    await request(t.app)
      .get('/v1/users/brand-new/feed?limit=5')
      .set(bearer(tokenOf('brand-new')))
      .expect(200);
    expect(assigned).toEqual(['brand-new']);
  });
});

describe('the shipped experiment, assigned by GrowthBook', () => {
  it('logs no exposure for 100 made-up ids asked for anonymously, and one for a known user', async () => {
    const store = await openTestStore({ indexes: false });
    const experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      { now: () => TEST_NOW },
    ))!;
    try {
      const t = await setUp({}, experiments.assigner, { store, experiments });
      const exposed = async () => {
        await experiments.exposures.flush();
        return store.collection('exposures').countDocuments();
      };
      for (let i = 0; i < 100; i++)
        await request(t.app).get(`/v1/users/random-${i}/feed?limit=1`).expect(200);
      expect(await exposed()).toBe(0);
      const known = await request(t.app).get('/v1/users/fan/feed?limit=1').expect(200);
      expect(known.body.experiment).toMatchObject({ key: 'ranker-two-tower-vs-popularity' });
      expect(await exposed()).toBe(1);
    } finally {
      await experiments.close();
    }
  });
});
