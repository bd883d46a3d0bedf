import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FallbackSnapshotStore, RedisSnapshotStore } from '../../src/feed/pages/redis-snapshots.js';
import { MemorySnapshotStore, type FeedSnapshot } from '../../src/feed/pages/snapshots.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const prefix = testPrefix();
afterAll(() => dropPrefix(prefix));

const snapshot = (feedId: string): FeedSnapshot => ({
  feedId,
  userId: 'user-1',
  ranker: 'two-tower',
  rankerVersion: 2,
  model: 'tt-1',
  experiment: { key: 'exp', variation: '1' },
  categories: ['crypto'],
  createdAt: TEST_NOW,
  items: [
    { ticker: 'A', score: 1, reasons: ['Popular in Crypto', 'New market'] },
    { ticker: 'B', score: 0.5, reasons: ['New market'] },
  ],
});

const failFast = (url: string) =>
  new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 200,
    lazyConnect: true,
  });

describe('feed snapshots in Redis', () => {
  it('keep a full-length feed exactly: order, scores, and every reason of every item', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const store = new RedisSnapshotStore(redis, `${prefix}:feed:`);
      const long: FeedSnapshot = {
        ...snapshot('long'),
        experiment: null,
        items: Array.from({ length: 200 }, (_, i) => ({
          ticker: `KX-${i}:T.${i % 7}`,
          score: Math.round(Math.sin(i) * 1e4) / 1e4,
          // Shared and distinct reasons, and items without any.
          reasons: i % 5 === 0 ? [] : [`Popular in C${i % 3}`, `Because you traded "M ${i}"`],
        })),
      };
      await store.put(long, 60_000);
      expect(await store.get('long')).toEqual(long);
      // The surface a list was served on, which attribution reads back (#22).
      const trending: FeedSnapshot = { ...snapshot('trending'), surface: 'trending' };
      await store.put(trending, 60_000);
      expect(await store.get('trending')).toEqual(trending);
    } finally {
      redis.disconnect();
    }
  });

  it('are shared by replicas and expire with their TTL', async () => {
    const [a, b] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    try {
      const replicaA = new RedisSnapshotStore(a, `${prefix}:feed:`);
      const replicaB = new RedisSnapshotStore(b, `${prefix}:feed:`);
      await replicaA.put(snapshot('f1'), 60_000);
      expect(await replicaB.get('f1')).toEqual(snapshot('f1'));
      await replicaA.put(snapshot('f2'), 30);
      await new Promise((r) => setTimeout(r, 80));
      expect(await replicaB.get('f2')).toBeUndefined();
      // Ones written in earlier formats (before an upgrade) read as expired: their cursors get a 410.
      await a.set(`${prefix}:feed:old`, JSON.stringify({ ...snapshot('old'), v: undefined }), 'PX', 60_000);
      expect(await replicaB.get('old')).toBeUndefined();
      const v2 = { ...snapshot('v2'), v: 2, items: [['A', 1, [0]]], reasons: ['New market'] };
      await a.set(`${prefix}:feed:v2`, JSON.stringify(v2), 'PX', 60_000);
      expect(await replicaB.get('v2')).toBeUndefined();
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('are read back on the replica that wrote them without Redis, until they expire', async () => {
    const redis = new Redis(REDIS_URL);
    let now = TEST_NOW.getTime();
    const replica = new RedisSnapshotStore(redis, `${prefix}:feed:`, { recentEntries: 2, now: () => now });
    try {
      for (const id of ['r1', 'r2', 'r3']) await replica.put(snapshot(id), 60_000);
      // Redis loses them (an outage, an eviction): this replica still pages through its latest two.
      await redis.del(`${prefix}:feed:r1`, `${prefix}:feed:r2`, `${prefix}:feed:r3`);
      expect(await replica.get('r3')).toEqual(snapshot('r3'));
      expect(await replica.get('r2')).toEqual(snapshot('r2'));
      expect(await replica.get('r1')).toBeUndefined(); // beyond the bound: asked Redis
      now += 60_000;
      expect(await replica.get('r3')).toBeUndefined(); // expired here as in Redis
    } finally {
      redis.disconnect();
    }
  });

  it('fall back to memory while Redis is down, say so, and recover when it answers', async () => {
    const down = failFast('redis://127.0.0.1:1'); // nothing listens there
    down.on('error', () => {});
    const memory = new MemorySnapshotStore();
    const store = new FallbackSnapshotStore(new RedisSnapshotStore(down, `${prefix}:feed:`), memory);
    await store.put(snapshot('f3'), 60_000);
    expect(await store.get('f3')).toEqual(snapshot('f3'));
    expect(store.degraded()).toMatch(/memory only/);
    down.disconnect();

    const up = new Redis(REDIS_URL);
    try {
      const healthy = new FallbackSnapshotStore(new RedisSnapshotStore(up, `${prefix}:feed:`), memory);
      await healthy.put(snapshot('f4'), 60_000);
      expect(healthy.degraded()).toBeUndefined();
      // A snapshot written to memory during the outage still pages on this replica.
      expect(await healthy.get('f3')).toEqual(snapshot('f3'));
    } finally {
      up.disconnect();
    }
  });
});
