import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../models/data/from-store.js';
import { TwoTowerModel } from '../../models/two-tower/model.js';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { simulateToStore } from '../../src/simulator/index.js';
import { EmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { auth, makeTestApi } from '../helpers/api.js';

/** A small simulated exchange with features built and a two-tower model trained on it. */
let store: Store;
let end: Date;
let serving: TwoTowerServing;

beforeAll(async () => {
  store = await EmbeddedStore.open();
  await ensureIndexes(store);
  ({ end } = await simulateToStore(store, { seed: 11, users: 400, days: 10 }));
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
  serving = new TwoTowerServing('tt-test', model.parameters);
}, 120_000);

const feedOf = async (t: Awaited<ReturnType<typeof makeTestApi>>, userId: string, limit = 40) =>
  (await request(t.app).get(`/v1/users/${userId}/feed?limit=${limit}`).expect(200)).body;

describe('two-tower feed', () => {
  it('ranks with the active model and says which version ranked', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const feed = await feedOf(t, 'user-7', 20);
    expect(feed.ranker).toBe('two-tower');
    expect(feed.model).toBe('tt-test');
    expect(feed.items).toHaveLength(20);
    expect(feed.items.every((i: { reasons: string[] }) => i.reasons.length > 0)).toBe(true);
  });

  it('serves popularity, and says so, while no model is active', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => undefined } });
    const feed = await feedOf(t, 'user-7', 5);
    expect(feed.ranker).toBe('popularity');
    expect(feed.model).toBeNull();
    expect(feed.items).toHaveLength(5);
  });

  it('moves a new user’s next feed toward the markets they just traded, without a retrain', async () => {
    const t = await makeTestApi({ store, now: end, model: { current: () => serving } });
    const user = 'brand-new-user';
    const before = await feedOf(t, user);
    const crypto = (await t.catalog.current()).markets.filter((m) => m.categoryKey === 'crypto');
    expect(crypto.length).toBeGreaterThanOrEqual(3);
    const trades = crypto.slice(0, 3).map((m, i) => ({
      eventId: `trade-${i}`,
      userId: user,
      ticker: m.ticker,
      type: 'trade',
      ts: new Date(end.getTime() - 60_000 + i).toISOString(),
      side: 'yes',
      contracts: 5,
      price: 0.5,
    }));
    t.clock.advance(1_000); // the trades arrive after the features were built
    await request(t.app).post('/v1/interactions').set(auth).send({ interactions: trades }).expect(200);
    const after = await feedOf(t, user);
    const share = (feed: { items: { category: string }[] }) =>
      feed.items.filter((i) => i.category === 'Crypto').length / feed.items.length;
    expect(share(after)).toBeGreaterThan(share(before) + 0.15);
    expect(
      after.items.some((i: { reasons: string[] }) =>
        i.reasons.some((r) => r.startsWith('Because you traded')),
      ),
    ).toBe(true);
  });
});
