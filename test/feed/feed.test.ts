import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;
const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();
const CATEGORIES = ['Crypto', 'Economics', 'Politics', 'Sports'];

/** 4 categories × 6 events × 3 markets, open, with varied volume; plus closed/unopened/closing-soon decoys. */
async function seedCatalogue(t: TestApi) {
  const markets: Record<string, unknown>[] = [];
  CATEGORIES.forEach((category, c) => {
    for (let e = 0; e < 6; e++) {
      for (let m = 0; m < 3; m++) {
        markets.push({
          ticker: `${category.toUpperCase()}-E${e}-M${m}`,
          eventTicker: `${category.toUpperCase()}-E${e}`,
          seriesTicker: `${category.toUpperCase()}-S${e % 2}`,
          title: `${category} question ${e}.${m}`,
          category,
          status: 'open',
          openTime: hours(-48 - e),
          closeTime: hours(24 + 10 * e + m),
          volume: 1000 + 100 * e,
          volume24h: 50 + ((c * 7 + e * 13 + m * 5) % 40) * 10,
        });
      }
    }
  });
  markets.push(
    {
      ticker: 'CLOSED-1',
      eventTicker: 'X-1',
      title: 'closed',
      category: 'Crypto',
      status: 'closed',
      closeTime: hours(-1),
      volume24h: 1e6,
    },
    {
      ticker: 'SETTLED-1',
      eventTicker: 'X-2',
      title: 'settled',
      category: 'Crypto',
      status: 'settled',
      closeTime: hours(-5),
      volume24h: 1e6,
    },
    {
      ticker: 'UNOPENED-1',
      eventTicker: 'X-3',
      title: 'later',
      category: 'Crypto',
      status: 'unopened',
      closeTime: hours(100),
      volume24h: 1e6,
    },
    {
      ticker: 'SOON-1',
      eventTicker: 'X-4',
      title: 'closes in 10 min',
      category: 'Crypto',
      status: 'open',
      closeTime: hours(1 / 6),
      volume24h: 1e6,
    },
  );
  await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
}

async function post(t: TestApi, interactions: Record<string, unknown>[]) {
  await request(t.app).post('/v1/interactions').set(auth).send({ interactions }).expect(200);
}

async function allPages(t: TestApi, path: string, limit = 7) {
  const pages: { ticker: string; eventTicker: string; category: string }[][] = [];
  let cursor: string | null = null;
  let feedId: string | undefined;
  do {
    const res: request.Response = await request(t.app)
      .get(path)
      .query({ limit, ...(cursor ? { cursor } : {}) })
      .expect(200);
    feedId ??= res.body.feedId;
    expect(res.body.feedId).toBe(feedId);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return pages;
}

describe('feed without a model (the two-tower ranker falls back to category affinity)', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await makeTestApi({ now: NOW });
    await seedCatalogue(t);
  });

  it('answers an unknown user with a full, diverse cold-start feed in the documented shape', async () => {
    const res = await request(t.app).get('/v1/users/nobody/feed').expect(200);
    expect(res.body).toMatchObject({ userId: 'nobody', ranker: 'category-affinity', experiment: null });
    expect(typeof res.body.feedId).toBe('string');
    expect(res.body.items).toHaveLength(20);
    for (const item of res.body.items) {
      expect(Object.keys(item).sort()).toEqual([
        'category',
        'closeTime',
        'eventTicker',
        'eventTitle',
        'lastPrice',
        'reasons',
        'score',
        'seriesTicker',
        'seriesTitle',
        'status',
        'subtitle',
        'ticker',
        'title',
        'volume24h',
        'yesAsk',
        'yesBid',
      ]);
      expect(item.status).toBe('open');
      expect(item.reasons.length).toBeGreaterThan(0);
      // What a market card shows: quotes as decimal dollar strings (or null before any), the close.
      for (const price of [item.yesBid, item.yesAsk, item.lastPrice])
        expect(price === null || /^[01]\.\d{4}$/.test(price)).toBe(true);
      expect(new Date(item.closeTime).toISOString()).toBe(item.closeTime);
      expect(typeof item.volume24h).toBe('number');
    }
    const categoriesInTop8 = new Set(res.body.items.slice(0, 8).map((i: { category: string }) => i.category));
    expect(categoriesInTop8.size).toBeGreaterThanOrEqual(3);
  });

  it('serves only open markets that close after the horizon, at most two per event', async () => {
    const pages = await allPages(t, '/v1/users/u1/feed', 20);
    const tickers = pages.flat().map((i) => i.ticker);
    expect(tickers.length).toBeGreaterThan(40);
    for (const excluded of ['CLOSED-1', 'SETTLED-1', 'UNOPENED-1', 'SOON-1'])
      expect(tickers).not.toContain(excluded);
    const perEvent = new Map<string, number>();
    for (const item of pages.flat()) {
      perEvent.set(item.eventTicker, (perEvent.get(item.eventTicker) ?? 0) + 1);
    }
    expect(Math.max(...perEvent.values())).toBe(2);
  });

  it('filters by one or several categories, in any case', async () => {
    const one = await request(t.app).get('/v1/users/u1/feed?category=crypto&limit=50').expect(200);
    expect(one.body.items.length).toBe(12);
    expect(new Set(one.body.items.map((i: { category: string }) => i.category))).toEqual(new Set(['Crypto']));
    const two = await request(t.app)
      .get('/v1/users/u1/feed?category=Crypto&category=SPORTS&limit=50')
      .expect(200);
    expect(new Set(two.body.items.map((i: { category: string }) => i.category))).toEqual(
      new Set(['Crypto', 'Sports']),
    );
    // A category nobody has heard of is a typo: 400 naming the known ones (#23).
    const none = await request(t.app).get('/v1/users/u1/feed?category=Astrology').expect(400);
    expect(none.body.error.details[0].message).toMatch(/unknown category "Astrology"; one of .*"Crypto"/);
  });

  it('never shows a market the user dismissed', async () => {
    const first = await request(t.app).get('/v1/users/u2/feed?limit=3').expect(200);
    const top = first.body.items[0].ticker;
    await post(t, [{ eventId: 'd1', userId: 'u2', ticker: top, type: 'dismiss', ts: hours(-0.1) }]);
    const pages = await allPages(t, '/v1/users/u2/feed', 20);
    expect(pages.flat().map((i) => i.ticker)).not.toContain(top);
  });

  it('pages never repeat or skip, even when popularity changes between pages', async () => {
    const snapshotOrder = (await allPages(t, '/v1/users/u3/feed', 100)).flat().map((i) => i.ticker);

    const first = await request(t.app).get('/v1/users/u3/feed?limit=10').expect(200);
    // Make the last-ranked markets the most popular: a re-rank would reorder everything.
    const reversed = [...snapshotOrder].reverse().slice(0, 30);
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: reversed.map((ticker, i) => ({
          ticker,
          eventTicker: ticker.replace(/-M\d$/, ''),
          title: 't',
          status: 'open',
          closeTime: hours(200),
          volume24h: 1e7 - i,
        })),
      })
      .expect(200);
    const seen = first.body.items.map((i: { ticker: string }) => i.ticker);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const res = await request(t.app).get('/v1/users/u3/feed').query({ limit: 10, cursor }).expect(200);
      expect(res.body.feedId).toBe(first.body.feedId);
      seen.push(...res.body.items.map((i: { ticker: string }) => i.ticker));
      cursor = res.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(snapshotOrder);
  });

  it('drops a market from later pages as soon as it closes', async () => {
    const first = await request(t.app).get('/v1/users/u4/feed?limit=5').expect(200);
    const rest = (
      await request(t.app).get('/v1/users/u4/feed').query({ limit: 100, cursor: first.body.nextCursor })
    ).body.items;
    const victim = rest[0];
    const second = await request(t.app).get('/v1/users/u4/feed?limit=5').expect(200);
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({
        markets: [
          {
            ticker: victim.ticker,
            eventTicker: victim.eventTicker,
            title: victim.title,
            status: 'closed',
            closeTime: hours(0),
          },
        ],
      })
      .expect(200);
    const after = await request(t.app)
      .get('/v1/users/u4/feed')
      .query({ limit: 100, cursor: second.body.nextCursor })
      .expect(200);
    expect(after.body.items.map((i: { ticker: string }) => i.ticker)).not.toContain(victim.ticker);
    const fresh = await allPages(t, '/v1/users/u4/feed', 100);
    expect(fresh.flat().map((i) => i.ticker)).not.toContain(victim.ticker);
  });

  it('tilts toward what the user engages with, and says why', async () => {
    const coldTop = (await request(t.app).get('/v1/users/cold/feed?limit=10').expect(200)).body.items;
    const cryptoTickers = ['CRYPTO-E0-M0', 'CRYPTO-E1-M1', 'CRYPTO-E2-M2'];
    await post(
      t,
      cryptoTickers.map((ticker, i) => ({
        eventId: `t${i}`,
        userId: 'fan',
        ticker,
        type: 'trade',
        ts: hours(-1 - i),
        side: 'yes',
        contracts: 5,
        price: 0.5,
      })),
    );
    const fanTop = (await request(t.app).get('/v1/users/fan/feed?limit=10').expect(200)).body.items;
    const crypto = (items: { category: string }[]) => items.filter((i) => i.category === 'Crypto').length;
    expect(crypto(fanTop)).toBeGreaterThan(crypto(coldTop));
    expect(fanTop.some((i: { reasons: string[] }) => i.reasons.some((r) => /you follow/.test(r)))).toBe(true);
  });

  it('rejects a malformed cursor (400), a foreign one (400) and an expired one (410)', async () => {
    const bad = await request(t.app).get('/v1/users/u5/feed?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.cursor');

    const first = await request(t.app).get('/v1/users/u5/feed?limit=5').expect(200);
    const foreign = await request(t.app)
      .get('/v1/users/someone-else/feed')
      .query({ cursor: first.body.nextCursor });
    expect(foreign.status).toBe(400);

    t.clock.advance(16 * 60_000);
    const expired = await request(t.app).get('/v1/users/u5/feed').query({ cursor: first.body.nextCursor });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('cursor_expired');
  });

  it('validates query parameters', async () => {
    const res = await request(t.app).get('/v1/users/u6/feed?limit=0');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.limit');
    expect((await request(t.app).get('/v1/users/u6/feed?limit=abc')).status).toBe(400);
  });

  it('lists trending markets, optionally by category', async () => {
    const res = await request(t.app).get('/v1/trending?category=Economics&limit=5').expect(200);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.items.every((i: { category: string }) => i.category === 'Economics')).toBe(true);
  });
});

describe('feed with precomputed features', () => {
  it('personalizes from user_features and still counts interactions posted since the last refresh', async () => {
    const t = await makeTestApi({ now: NOW });
    await seedCatalogue(t);
    const trade = (eventId: string, ticker: string, h: number) => ({
      eventId,
      userId: 'fan',
      ticker,
      type: 'trade',
      ts: hours(h),
      side: 'yes',
      contracts: 1,
      price: 0.5,
    });
    await post(t, [
      trade('c1', 'CRYPTO-E0-M0', -30),
      trade('c2', 'CRYPTO-E1-M0', -29),
      trade('c3', 'CRYPTO-E2-M0', -28),
    ]);
    t.clock.advance(60_000);
    const job = await request(t.app).post('/v1/jobs/rebuild-features').set(auth).send({}).expect(202);
    for (let i = 0; i < 200 && (await t.jobs.status(job.body.id))?.state !== 'completed'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await t.store.collection('user_features').findOne({ userId: 'fan' }))?.categoryAffinity).toEqual([
      { key: 'crypto', share: 1 },
    ]);
    await t.catalogue.reload();

    const share = (items: { category: string }[], category: string) =>
      items.filter((i) => i.category === category).length;
    const afterRefresh = (await request(t.app).get('/v1/users/fan/feed?limit=10').expect(200)).body.items;
    expect(share(afterRefresh, 'Crypto')).toBeGreaterThanOrEqual(4);

    // Six sports trades after the refresh: not in any feature yet, but the next feed must show them.
    await post(
      t,
      ['SPORTS-E0-M0', 'SPORTS-E1-M0', 'SPORTS-E2-M0', 'SPORTS-E3-M0', 'SPORTS-E4-M0', 'SPORTS-E5-M0'].map(
        (tk, i) => trade(`s${i}`, tk, -0.5),
      ),
    );
    const afterTrades = (await request(t.app).get('/v1/users/fan/feed?limit=10').expect(200)).body.items;
    expect(share(afterTrades, 'Sports')).toBeGreaterThan(share(afterRefresh, 'Sports'));
    expect(share(afterTrades, 'Crypto')).toBeGreaterThan(0);
  });
});

describe('feed under an experiment', () => {
  it('serves the assigned ranker, reports the experiment on every page, and logs one exposure per feed', async () => {
    const seen: { userId: string; attributes: Record<string, unknown> }[] = [];
    const exposures: unknown[] = [];
    const t = await makeTestApi({
      now: NOW,
      assignment: {
        assign: (userId, attributes) => {
          seen.push({ userId, attributes });
          const variation = userId === 'treated' ? '1' : '0';
          exposures.push({ userId, variation });
          return {
            ranker: variation === '1' ? 'trending' : 'popularity',
            experiment: { key: 'ranker-test', variation },
          };
        },
      },
    });
    await seedCatalogue(t);
    await request(t.app)
      .put('/v1/users')
      .set(auth)
      .send({ users: [{ userId: 'treated', attributes: { country: 'US' } }] })
      .expect(200);
    const first = await request(t.app).get('/v1/users/treated/feed?limit=5&attr.platform=ios').expect(200);
    expect(first.body).toMatchObject({
      ranker: 'trending',
      experiment: { key: 'ranker-test', variation: '1' },
    });
    const second = await request(t.app)
      .get('/v1/users/treated/feed')
      .query({ limit: 5, cursor: first.body.nextCursor })
      .expect(200);
    expect(second.body).toMatchObject({
      ranker: 'trending',
      experiment: { key: 'ranker-test', variation: '1' },
    });
    // A never-seen id is assigned when a server (an API key) asks; anonymous asks for it log nothing.
    const control = await request(t.app).get('/v1/users/other/feed?limit=5').set(auth).expect(200);
    expect(control.body).toMatchObject({
      ranker: 'popularity',
      experiment: { key: 'ranker-test', variation: '0' },
    });
    expect(seen[0]).toEqual({
      userId: 'treated',
      attributes: { country: 'US', platform: 'ios', id: 'treated' },
    });
    const bad = await request(t.app).get('/v1/users/treated/feed?attr.plat-form=x&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'query.attr.plat-form',
      'query.colour',
    ]);
    // Paging does not re-assign, so it logs no exposure either.
    expect(seen).toHaveLength(2);
    expect(exposures).toHaveLength(2);
    // The two rankers really rank differently.
    expect(first.body.items.map((i: { ticker: string }) => i.ticker)).not.toEqual(
      control.body.items.map((i: { ticker: string }) => i.ticker),
    );
  });
});
