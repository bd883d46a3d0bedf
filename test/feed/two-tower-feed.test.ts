import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../models/data/from-store.js';
import { TwoTowerModel } from '../../models/two-tower/model.js';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import type { TwoTowerParameters } from '../../models/two-tower/parameters.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { DEFAULT_USER_CONTEXT, loadUserContext } from '../../src/feed/user/user-context.js';
import { rankFeed } from '../../src/feed/pipeline/rank-feed.js';
import { getRanker } from '../../src/feed/rankers/rankers.js';
import { simulateToStore, TEST_END } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';

interface TrainedExchange {
  store: Store;
  end: Date;
  serving: TwoTowerServing;
  parameters: TwoTowerParameters;
}

/** A small simulated exchange ending at TEST_END, with features built and a two-tower model trained on it. */
async function trainedExchange(seed: number): Promise<TrainedExchange> {
  const store = await openTestStore({ indexes: false });
  await ensureIndexes(store);
  const { end } = await simulateToStore(store, { seed, users: 400, days: 10, end: TEST_END });
  await refreshFeatures(store, {
    mode: 'full',
    now: end,
    config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 },
  });
  const data = await loadTrainingData(store, { to: end });
  const model = new TwoTowerModel({ dim: 32, epochs: 4, batchSize: 256 });
  await model.fit(
    {
      log: data.log,
      content: data.content,
      numUsers: data.log.userIds.length,
      numItems: data.log.itemIds.length,
      cutoffMs: end.getTime(),
    },
    { seed: 1 },
  );
  return {
    store,
    end,
    serving: new TwoTowerServing('tt-test', model.parameters),
    parameters: model.parameters,
  };
}

/**
 * The sampled exchanges claims about ranked output are checked on: one exchange's page moves by an
 * item or two with the seed, so those claims hold on each of five (seed 11 first, the one the
 * single-exchange tests use). Each is trained once, when a test first needs it.
 */
const SEEDS = [11, 1, 2, 3, 4];
const exchanges = new Map<number, Promise<TrainedExchange>>();
const exchangeOf = (seed: number) => {
  if (!exchanges.has(seed)) exchanges.set(seed, trainedExchange(seed));
  return exchanges.get(seed)!;
};
afterAll(async () => {
  for (const exchange of exchanges.values()) await (await exchange).store.close();
});

let store: Store;
let end: Date;
let serving: TwoTowerServing;
let parameters: TwoTowerParameters;

beforeAll(async () => {
  ({ store, end, serving, parameters } = await exchangeOf(11));
}, 120_000);

type Api = Awaited<ReturnType<typeof makeTestApi>>;

const feedOf = async (t: Api, userId: string, limit = 40) =>
  (await request(t.app).get(`/v1/users/${userId}/feed?limit=${limit}`).expect(200)).body;

const cryptoShare = (feed: { items: { category: string }[] }) =>
  feed.items.filter((i) => i.category === 'Crypto').length / feed.items.length;

/** A brand-new user's crypto share on a page of 40 before and after three crypto trades, and the share among open markets. */
async function cryptoShiftAfterThreeTrades(exchange: TrainedExchange, user: string) {
  const t = await makeTestApi({
    store: exchange.store,
    now: exchange.end,
    model: { current: () => exchange.serving },
  });
  const before = await feedOf(t, user);
  const open = (await t.catalogue.current()).markets;
  const crypto = open.filter((m) => m.categoryKey === 'crypto');
  expect(crypto.length).toBeGreaterThanOrEqual(3);
  const trades = crypto.slice(0, 3).map((m, i) => ({
    eventId: `${user}-trade-${i}`,
    userId: user,
    ticker: m.ticker,
    type: 'trade',
    ts: new Date(exchange.end.getTime() - 60_000 + i).toISOString(),
    side: 'yes',
    contracts: 5,
    price: 0.5,
  }));
  t.clock.advance(1_000); // the trades arrive after the features were built
  await request(t.app).post('/v1/interactions').set(auth).send({ interactions: trades }).expect(200);
  const after = await feedOf(t, user);
  return {
    before: cryptoShare(before),
    after: cryptoShare(after),
    open: crypto.length / open.length,
    afterFeed: after,
  };
}

/** Each seed's shift, measured once (the trades are stored) and read by the tests that need it. */
const shifts = new Map<number, ReturnType<typeof cryptoShiftAfterThreeTrades>>();
const shiftOf = (seed: number) => {
  if (!shifts.has(seed))
    shifts.set(
      seed,
      exchangeOf(seed).then((exchange) => cryptoShiftAfterThreeTrades(exchange, `new-user-of-seed-${seed}`)),
    );
  return shifts.get(seed)!;
};

/**
 * For the first `events` events of three or more open markets, a brand-new user trades one market
 * of each (one user per event): how many of their next pages of 40 list another market of that
 * event, saying why.
 */
async function siblingsLifted(exchange: TrainedExchange, events: number) {
  const t = await makeTestApi({
    store: exchange.store,
    now: exchange.end,
    model: { current: () => exchange.serving },
  });
  const byEvent = new Map<string, string[]>();
  for (const m of (await t.catalogue.current()).markets)
    byEvent.set(m.eventTicker, [...(byEvent.get(m.eventTicker) ?? []), m.ticker]);
  const traded = [...byEvent].filter(([, list]) => list.length >= 3).slice(0, events);
  t.clock.advance(1_000); // the trades arrive after the features were built
  let lifted = 0;
  for (const [eventTicker, [held]] of traded) {
    const user = `sibling-trader-${eventTicker}`;
    const trade = {
      eventId: `${user}-1`,
      userId: user,
      ticker: held,
      type: 'trade',
      ts: exchange.end.toISOString(),
      side: 'yes',
      contracts: 1,
      price: 0.5,
    };
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [trade] })
      .expect(200);
    const feed = await feedOf(t, user, 40);
    if (
      feed.items.some(
        (i: { eventTicker: string; ticker: string; reasons: string[] }) =>
          i.eventTicker === eventTicker &&
          i.ticker !== held &&
          i.reasons.includes('Another market in an event you trade'),
      )
    )
      lifted++;
  }
  return { events: traded.length, lifted };
}

describe('two-tower feed', () => {
  it('ranks with the active model and says which version ranked', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const feed = await feedOf(t, 'user-7', 20);
    expect(feed.ranker).toBe('two-tower');
    expect(feed.model).toBe('tt-test');
    expect(feed.items).toHaveLength(20);
    expect(feed.items.every((i: { reasons: string[] }) => i.reasons.length > 0)).toBe(true);
  });

  it('reads the same user context with open markets taken from the catalogue as from the store', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const open = (await t.catalogue.current()).byTicker;
    let fromCatalogue = 0;
    for (const user of ['user-3', 'user-7', 'user-42', 'user-150']) {
      const stored = await loadUserContext(store, user, end);
      fromCatalogue += stored.history.filter((h) => open.has(h.ticker)).length;
      expect(await loadUserContext(store, user, end, DEFAULT_USER_CONTEXT, { openMarkets: open })).toEqual(
        stored,
      );
    }
    expect(fromCatalogue).toBeGreaterThan(0);
  });

  it('ranks with the blend learned for the active model, when it has one', async () => {
    const plain = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const learned = new TwoTowerServing('tt-blended', parameters);
    const only = (term: string) => ({
      ...Object.fromEntries(Object.keys(getRanker('two-tower')!.weights).map((t) => [t, 0])),
      [term]: 1,
    });
    learned.blends = { 'two-tower': only('popularity') };
    const blended = await makeTestApi({ store, now: end, model: { current: () => learned } });
    const user = 'user-7';
    const context = await loadUserContext(store, user, end);
    const before = await feedOf(plain, user, 20);
    const after = await feedOf(blended, user, 20);
    expect(after.model).toBe('tt-blended');
    expect(after.items.map((i: { ticker: string }) => i.ticker)).not.toEqual(
      before.items.map((i: { ticker: string }) => i.ticker),
    );
    // Popularity alone: the first item is the most popular open market the user has not touched.
    const catalogue = await blended.catalogue.current();
    const touched = new Set(context.history.map((h) => h.ticker));
    const horizon = end.getTime() + 30 * 60_000;
    const mostPopular = catalogue.markets
      .filter((m) => !touched.has(m.ticker) && !context.dismissed.has(m.ticker))
      .filter((m) => !m.closeTime || m.closeTime.getTime() > horizon)
      .reduce((a, b) => (b.popularity > a.popularity ? b : a));
    expect(after.items[0].ticker).toBe(mostPopular.ticker);
  });

  it('serves its fallback, category affinity, and says so, while no model is active', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => undefined } });
    const feed = await feedOf(t, 'user-7', 5);
    expect(feed.ranker).toBe('category-affinity');
    expect(feed.model).toBeNull();
    expect(feed.items).toHaveLength(5);
  });

  it('moves a new user’s next feed toward the markets they just traded, without a retrain: five seeds', async () => {
    // One exchange's shares move by a page item or two (1/40 each). Measured with the window ending
    // at TEST_END, the ranker as of the learned blend and the simulator's temporal dynamics, over
    // seeds 1–12 and two of the model's random streams (before and after the content table started
    // random only where tokens hash): the cold-start page held 0–12.5 % crypto and the page after
    // three crypto trades 12.5–27.5 %, every seed rising by 5–20 points, 11.9 and 12.1 on average
    // (crypto is 13.6–15 % of open markets). One item decides whether a seed's page ends above that
    // share (seed 2: 6 items of 40 with one stream, 5 with the other, against 5.9), so it is the
    // pages of the five together that must: 17.5 % on average with the current stream. Their mean
    // rise must be at least 5 points (8.5 and 11 on these five with the two streams).
    const shifts: Awaited<ReturnType<typeof shiftOf>>[] = [];
    for (const seed of SEEDS) shifts.push(await shiftOf(seed));
    for (const [i, shift] of shifts.entries())
      expect(shift.after, `seed ${SEEDS[i]}`).toBeGreaterThan(shift.before);
    const mean = (pick: (s: (typeof shifts)[number]) => number) =>
      shifts.reduce((a, s) => a + pick(s), 0) / shifts.length;
    expect(mean((s) => s.after)).toBeGreaterThan(mean((s) => s.open));
    expect(mean((s) => s.after - s.before)).toBeGreaterThanOrEqual(0.05);
  }, 120_000);

  it('says why on every one of those pages: “Because you traded …”', async () => {
    // 2–9 of the 40 items gave a trade as their reason over seeds 1–12 (5–9 on these five; 3–19 and
    // 7–12 before the simulator's temporal dynamics), so "some item" holds on each with room.
    for (const seed of SEEDS) {
      const { afterFeed } = await shiftOf(seed);
      expect(
        afterFeed.items.some((i: { reasons: string[] }) =>
          i.reasons.some((r) => r.startsWith('Because you traded')),
        ),
        `seed ${seed}`,
      ).toBe(true);
    }
  }, 120_000);

  it('stores impressions and clicks with the ranker and model version of the feed they came from', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const feed = await feedOf(t, 'user-9', 3);
    const item = feed.items[1];
    const event = (eventId: string, userId: string, type: string) => ({
      eventId,
      userId,
      ticker: item.ticker,
      type,
      ts: end.toISOString(),
      feedId: feed.feedId,
      position: 1,
    });
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({
        interactions: [
          event('attr-1', 'user-9', 'impression'),
          event('attr-2', 'user-9', 'click'),
          // Another user's interaction naming this feed is not attributed to it.
          event('attr-3', 'user-10', 'click'),
        ],
      })
      .expect(200);
    const stored = await store
      .collection('interactions')
      .find({ eventId: { $in: ['attr-1', 'attr-2', 'attr-3'] } }, { sort: { eventId: 1 } })
      .toArray();
    const attribution = {
      surface: 'feed',
      ranker: 'two-tower',
      rankerVersion: getRanker('two-tower')!.version,
      model: 'tt-test',
      experiment: null,
    };
    expect(stored.map((d) => d.attribution)).toEqual([attribution, attribution, undefined]);
    // …and is marked, for the daily report's exceptions.
    expect(stored.map((d) => d.feedIssue)).toEqual([undefined, undefined, 'served_to_another_user']);
  });

  it('finds similar open markets by the model, by co-interaction without one, and 404s unknown ones', async () => {
    const withModel = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const catalogue = await withModel.catalogue.current();
    const market = catalogue.markets.find((m) => m.categoryKey === 'crypto')!;
    const byModel = (
      await request(withModel.app).get(`/v1/markets/${market.ticker}/similar?limit=10`).expect(200)
    ).body;
    expect(byModel.source).toBe('model');
    expect(byModel.model).toBe('tt-test');
    expect(byModel.items).toHaveLength(10);
    // Market cards, as in feeds (#23).
    expect(Object.keys(byModel.items[0])).toEqual(
      expect.arrayContaining(['status', 'eventTitle', 'seriesTitle', 'yesBid', 'closeTime', 'score']),
    );
    expect(byModel.items.every((i: { eventTicker: string }) => i.eventTicker !== market.eventTicker)).toBe(
      true,
    );
    // One market's neighbours swing with the sampled exchange (the first crypto market had 0, 2, 9 or
    // 10 of 10 in its category over seeds 1–12), so the claim is about all of them: the mean over
    // every open market was 6.6–8.1 of 10 on seeds 1–12 (7.3 on this one, seed 11; measured with the
    // simulator's temporal dynamics, #19; 7.5–8.8 before them), against about 1.3 by chance
    // (category shares).
    let sameCategory = 0;
    for (const m of catalogue.markets) {
      const similar = (await request(withModel.app).get(`/v1/markets/${m.ticker}/similar?limit=10`)).body;
      sameCategory += similar.items.filter((i: { category: string }) => i.category === m.category).length;
    }
    expect(sameCategory / catalogue.markets.length).toBeGreaterThanOrEqual(6);

    const without = await makeTestApi({ store, now: end, model: { current: () => undefined } });
    const byCoInteraction = (
      await request(without.app).get(`/v1/markets/${market.ticker}/similar`).expect(200)
    ).body;
    expect(byCoInteraction.source).toBe('co-interaction');
    expect(byCoInteraction.model).toBeNull();

    const missing = await request(without.app).get('/v1/markets/NOPE-1/similar').expect(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('lifts the other markets of events the user trades, saying so: most events on each of five seeds', async () => {
    // Whether one event's sibling reaches a page of 40 depends on the exchange (the first such
    // event's sibling was at rank 0 on seed 11 but 36 on seed 7). Of the first 20 events traded,
    // 18–20 lifted a sibling with this reason on each of seeds 1–12 (19 or 20 before the simulator's
    // temporal dynamics), so 16 leaves room.
    for (const seed of SEEDS) {
      const { events, lifted } = await siblingsLifted(await exchangeOf(seed), 20);
      expect(events, `seed ${seed}`).toBe(20);
      expect(lifted, `seed ${seed}`).toBeGreaterThanOrEqual(16);
    }
  }, 120_000);

  it('lists what the user holds unless the ranker leaves it out', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const catalogue = await t.catalogue.current();
    const byEvent = new Map<string, string[]>();
    for (const m of catalogue.markets)
      byEvent.set(m.eventTicker, [...(byEvent.get(m.eventTicker) ?? []), m.ticker]);
    const [, tickers] = [...byEvent].find(([, list]) => list.length >= 3)!;
    const user = 'holder';
    t.clock.advance(1_000);
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({
        interactions: [
          {
            eventId: 'hold-1',
            userId: user,
            ticker: tickers[0],
            type: 'trade',
            ts: end.toISOString(),
            side: 'yes',
            contracts: 1,
            price: 0.5,
          },
        ],
      })
      .expect(200);
    const context = await loadUserContext(store, user, t.clock.now());
    // Every eligible market as a candidate, no caps: the held one is listed unless the ranker leaves it out.
    const req = { now: t.clock.now(), categories: [], minCloseTime: end, maxPerEvent: 100 };
    const twoTower = getRanker('two-tower')!;
    const lists = (excludeHeld: boolean) =>
      rankFeed(
        catalogue,
        context,
        req,
        {
          ...twoTower,
          sources: { ...twoTower.sources, popular: 100_000 },
          diversity: { ...twoTower.diversity, maxPerSeries: 100_000 },
          maxItems: 100_000,
          excludeHeld,
        },
        serving,
      ).some((i) => i.ticker === tickers[0]);
    expect(lists(false)).toBe(true);
    expect(lists(true)).toBe(false);
  });
});
