import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { relayChanges, type ReplicaRelay } from '../../src/ingest/events/replica-relay.js';
import { createIngestEvents } from '../../src/ingest/events/ingest-events.js';
import { UserContextCache } from '../../src/feed/user/user-context-cache.js';
import type { UserContext } from '../../src/feed/user/user-context.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import { REDIS_URL, testPrefix } from '../helpers/redis.js';
import { openTestStore } from '../helpers/store.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

const context = (userId: string, n: number): UserContext => ({
  userId,
  dismissed: new Set(),
  categoryAffinity: new Map([['load', n]]),
  seriesAffinity: new Map(),
  history: [],
  attributes: {},
  known: true,
});

describe('user context cache', () => {
  it('reads the store once per user until invalidated, expired or evicted', async () => {
    let clock = 0;
    let loads = 0;
    const cache = new UserContextCache(async (userId) => context(userId, ++loads), {
      maxAgeMs: 1_000,
      maxEntries: 2,
      now: () => clock,
    });
    const load = async (userId: string) => (await cache.get(userId)).categoryAffinity.get('load');
    expect(await load('a')).toBe(1);
    expect(await load('a')).toBe(1);
    cache.invalidate(['a']);
    expect(await load('a')).toBe(2);
    clock += 1_000;
    expect(await load('a')).toBe(3);
    // Capacity 2: b and c push out the least recently used (a).
    await load('b');
    await load('c');
    expect(await load('a')).toBe(6);
    expect(cache.size).toBe(2);
  });

  it('shares one load between concurrent misses and never keeps a load an invalidation overtook', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = new UserContextCache(
      async (userId) => {
        const n = ++loads;
        if (n === 1) await gate;
        return context(userId, n);
      },
      { maxAgeMs: 60_000, maxEntries: 10 },
    );
    const first = cache.get('u');
    const second = cache.get('u');
    // The user interacts while the store read is in flight.
    cache.invalidate(['u']);
    release();
    expect((await first).categoryAffinity.get('load')).toBe(1);
    expect(await second).toBe(await first);
    expect((await cache.get('u')).categoryAffinity.get('load')).toBe(2);
  });
});

describe('invalidation through the API', () => {
  it('forgets a user on interactions that carry signal, not on the impressions every page view posts', async () => {
    const t = await makeTestApi();
    const market = {
      ticker: 'M-1',
      eventTicker: 'E-1',
      title: 'Market 1',
      category: 'Crypto',
      status: 'open',
      openTime: new Date(TEST_END.getTime() - 21 * DAY_MS).toISOString(),
      closeTime: new Date(TEST_END.getTime() + 28 * DAY_MS).toISOString(),
    };
    await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .send({ markets: [market] })
      .expect(200);
    await request(t.app).get('/v1/users/u/feed').expect(200);
    const post = (eventId: string, type: string) =>
      request(t.app)
        .post('/v1/interactions')
        .set(auth)
        .send({
          interactions: [
            {
              eventId,
              userId: 'u',
              ticker: 'M-1',
              type,
              ts: new Date(TEST_NOW.getTime() - HOUR_MS).toISOString(),
            },
          ],
        })
        .expect(200);
    await post('i-1', 'impression');
    expect(t.feed.userContexts!.peek('u')).toBeDefined();
    await post('c-1', 'click');
    expect(t.feed.userContexts!.peek('u')).toBeUndefined();
  });
});

describe('user changes across replicas', () => {
  const prefix = testPrefix();
  const buses: ReplicaRelay[] = [];
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  it('an interaction posted to one replica moves the user’s next feed on another within a second', async () => {
    const store = await openTestStore({ indexes: false });
    const replica = async () => {
      const api = await makeTestApi({ store });
      buses.push(
        await relayChanges(api.events, { redisUrl: REDIS_URL, prefix, onConnectionChange: () => {} }),
      );
      return api;
    };
    const a = await replica();
    const b = await replica();
    const markets = cryptoAndSportsMarkets(40, {
      // Sports is the more popular category.
      volume24h: (i) => (i % 2 ? 10 : 1_000),
      openTime: new Date(TEST_END.getTime() - 21 * DAY_MS).toISOString(),
    });
    await request(a.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
    await b.catalogue.reload();
    const cryptoOnTop = async () => {
      const feed = await request(b.app).get('/v1/users/switcher/feed?limit=6').expect(200);
      return feed.body.items.filter((i: { category: string }) => i.category === 'Crypto').length;
    };
    const before = await cryptoOnTop();
    await request(a.app)
      .post('/v1/interactions')
      .set(auth)
      .send({
        interactions: [1, 3, 5].map((i) => ({
          eventId: `t-${i}`,
          userId: 'switcher',
          ticker: `M-${i}`,
          type: 'trade',
          ts: new Date(TEST_NOW.getTime() - 60_000).toISOString(),
          side: 'yes',
          contracts: 1,
          price: 0.5,
        })),
      })
      .expect(200);
    const deadline = Date.now() + 1_000;
    let after = await cryptoOnTop();
    while (after <= before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await cryptoOnTop();
    }
    expect(after).toBeGreaterThan(before);
  });

  it('reports a dropped subscription and its recovery, so cached contexts are trusted briefly meanwhile', async () => {
    const changes: boolean[] = [];
    const received: { userIds: string[]; origin: string }[] = [];
    const own = testPrefix();
    // Two replicas: one whose subscription drops, one that stores a change after it recovered.
    const events = createIngestEvents();
    events.on('interactionsStored', (change) => void received.push(change));
    const bus = await relayChanges(events, {
      redisUrl: REDIS_URL,
      prefix: own,
      onConnectionChange: (connected) => changes.push(connected),
    });
    const other = createIngestEvents();
    const sender = await relayChanges(other, {
      redisUrl: REDIS_URL,
      prefix: own,
      onConnectionChange: () => {},
    });
    buses.push(bus, sender);
    expect(bus.connected()).toBe(true);
    const admin = new Redis(REDIS_URL);
    try {
      // Drop the subscription's connection, as a Redis restart or a network cut would.
      const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n');
      const ids = clients
        .filter((c) => c.includes(` name=${own}:changes `))
        .map((c) => /id=(\d+)/.exec(c)![1]!);
      expect(ids).toHaveLength(2);
      for (const id of ids) await admin.client('KILL', 'ID', id);
      const until = async (condition: () => boolean) => {
        for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
      };
      await until(() => changes.includes(false) && bus.connected() && sender.connected());
      // Subscribed at start, dropped, subscribed again.
      expect(changes).toEqual([true, false, true]);
      await other.emit('interactionsStored', { userIds: ['after-reconnect'], origin: 'local' });
      await until(() => received.length > 0);
      expect(received).toEqual([{ userIds: ['after-reconnect'], origin: 'replica' }]);
    } finally {
      admin.disconnect();
    }
  });

  it('starts without Redis, reporting the channel down instead of failing', async () => {
    const changes: boolean[] = [];
    const events = createIngestEvents();
    const bus = await relayChanges(events, {
      redisUrl: 'redis://127.0.0.1:1',
      prefix: testPrefix(),
      onConnectionChange: (connected) => changes.push(connected),
    });
    buses.push(bus);
    expect(bus.connected()).toBe(false);
    await events.emit('interactionsStored', { userIds: ['lost'], origin: 'local' }); // logged, not thrown
    expect(changes).not.toContain(true);
  });
});
