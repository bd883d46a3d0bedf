import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerKind, unregisterKind } from '../../models/kinds.js';
import { redisModelNotifier, subscribeModelChanges, type ModelChange } from '../../models/registry/notify.js';
import { ModelRegistry } from '../../models/registry/registry.js';
import { ActiveModelWatcher } from '../../models/registry/watcher.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { REDIS_URL, testPrefix } from '../helpers/redis.js';
import { FAKE_KIND, fakeCandidate, fakeKind } from './registry-fixtures.js';
import { openTestStore } from '../helpers/store.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

beforeAll(() => registerKind(fakeKind));
afterAll(() => unregisterKind(FAKE_KIND));

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('model changes on Redis pub/sub', () => {
  let dir: string;
  let store: Store;
  let prefix: string;
  let registry: ModelRegistry;
  /** Each candidate a minute after the last; the registries stamp with the same clock. */
  let clock = TEST_NOW.getTime();
  const now = () => new Date(clock);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-pubsub-'));
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    prefix = testPrefix();
    registry = new ModelRegistry({
      store,
      modelsDir: dir,
      now,
      notify: redisModelNotifier(REDIS_URL, prefix),
    });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function candidate() {
    const createdAt = new Date((clock += 60_000));
    return fakeCandidate(registry, createdAt, { dataWindow: { from: new Date(0), to: createdAt }, seed: 1 });
  }

  it('a subscriber hears every promotion and rollback, on its prefix only', async () => {
    const heard: ModelChange[] = [];
    const other: ModelChange[] = [];
    const sub = await subscribeModelChanges(REDIS_URL, (c) => heard.push(c), { prefix });
    const elsewhere = await subscribeModelChanges(REDIS_URL, (c) => other.push(c), { prefix: testPrefix() });
    try {
      const a = await candidate();
      const b = await candidate();
      await registry.promote(a.version, { reason: 'x' });
      await registry.promote(b.version, { reason: 'x' });
      await registry.rollback(undefined, { kind: FAKE_KIND });
      await until(() => heard.length === 3);
      expect(heard).toEqual([
        { version: a.version, action: 'promote' },
        { version: b.version, action: 'promote' },
        { version: a.version, action: 'rollback' },
      ]);
      expect(other).toEqual([]);
    } finally {
      await sub.close();
      await elsewhere.close();
    }
  });

  it('the watcher reloads on a message long before its next poll', async () => {
    const watcher = new ActiveModelWatcher({ registry, redisUrl: REDIS_URL, prefix, pollSeconds: 3600 });
    const seen: (string | undefined)[] = [];
    watcher.on('change', (doc) => seen.push(doc?.version));
    await watcher.start();
    try {
      expect(seen).toEqual([]);
      const a = await candidate();
      await registry.promote(a.version, { reason: 'x' });
      await until(() => seen.length === 1);
      expect(seen).toEqual([a.version]);
    } finally {
      await watcher.stop();
    }
  });

  it('a promotion still succeeds when Redis cannot be reached', async () => {
    const offline = new ModelRegistry({
      store,
      modelsDir: dir,
      now,
      notify: redisModelNotifier('redis://127.0.0.1:1', prefix),
    });
    const a = await candidate();
    await expect(offline.promote(a.version, { reason: 'x' })).resolves.toMatchObject({ status: 'active' });
  });
});
