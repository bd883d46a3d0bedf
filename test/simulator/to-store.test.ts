import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulateToStoreResult } from '../../src/simulator/index.js';
import { simulate, simulateToStore } from '../helpers/simulation.js';
import { coll, ensureIndexes, type CollectionName } from '../../src/store/collections.js';
import { END } from './fixture.js';
import { openTestStore } from '../helpers/store.js';
import type { MongoStore } from '../../src/store/mongo-store.js';

const OPTIONS = { seed: 21, users: 150, days: 4, end: END, batchSize: 700 };

describe('simulateToStore into the embedded store', () => {
  let store: MongoStore;
  let result: SimulateToStoreResult;
  const phases: string[] = [];

  beforeAll(async () => {
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    result = await simulateToStore(store, { ...OPTIONS, onProgress: (p) => phases.push(p.phase) });
  });
  afterAll(() => store.close());

  it('stores exactly what was simulated, catalogue first', async () => {
    const sim = simulate(OPTIONS);
    const expected = {
      series: sim.series().length,
      events: sim.events().length,
      markets: sim.markets().length,
      users: 150,
      interactions: [...sim.interactionDays()].reduce((n, d) => n + d.count, 0),
    };
    expect(result.counts).toEqual(expected);
    for (const [name, count] of Object.entries(expected) as [CollectionName, number][]) {
      expect(await store.collection(name).countDocuments(), name).toBe(count);
    }
    expect(phases.slice(0, 2)).toEqual(['catalogue', 'users']);
    expect(phases.filter((p) => p === 'interactions')).toHaveLength(4);
  });

  it('stores documents in their parsed form', async () => {
    const market = await coll(store, 'markets').findOne({ status: 'open', category: 'Crypto' });
    expect(market?.closeTime).toBeInstanceOf(Date);
    expect(market!.closeTime.getTime()).toBeGreaterThan(END.getTime());
    const trade = await coll(store, 'interactions').findOne({ type: 'trade' });
    expect(trade?.ts).toBeInstanceOf(Date);
    expect(trade).toMatchObject({ side: expect.stringMatching(/^(yes|no)$/), contracts: expect.any(Number) });
    const user = await coll(store, 'users').findOne({ userId: 'user-1' });
    expect(Object.keys(user!.attributes).sort()).toEqual(['country', 'platform', 'signupDate', 'tenure']);
  });

  it('suggests an active demo user with clear tastes', async () => {
    expect(result.demoUserId).toMatch(/^user-\d+$/);
    expect(result.demoUser.driftsAt).toBeUndefined();
    expect(result.demoUser.categories[0]!.share).toBeGreaterThanOrEqual(0.4);
    const engaged = await coll(store, 'interactions').countDocuments({
      userId: result.demoUserId,
      type: { $in: ['click', 'watch', 'trade'] },
    });
    expect(engaged).toBeGreaterThan(10);
  });

  it('is idempotent: a second run adds nothing', async () => {
    await simulateToStore(store, OPTIONS);
    expect(await store.collection('interactions').countDocuments()).toBe(result.counts.interactions);
    expect(await store.collection('markets').countDocuments()).toBe(result.counts.markets);
  });
});

describe('the tests’ simulateToStore (test/helpers/simulation.ts)', () => {
  it('stamps what it stores at the simulated end, not today, even when given `now: undefined`', async () => {
    const store = await openTestStore({ indexes: false });
    try {
      await ensureIndexes(store);
      // An options object built with a spread can carry `now: undefined`: still the simulated end.
      await simulateToStore(store, { seed: 3, users: 10, days: 1, end: END, now: undefined });
      const market = await coll(store, 'markets').findOne({});
      expect(market?.updatedAt).toEqual(END);
      const interaction = await coll(store, 'interactions').findOne({});
      expect(interaction?.receivedAt).toEqual(END);
    } finally {
      await store.close();
    }
  });
});
