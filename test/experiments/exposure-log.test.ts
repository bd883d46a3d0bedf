import { describe, expect, it } from 'vitest';
import { ExposureLog } from '../../src/experiments/exposure-log.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes, type CollectionName } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { openTestStore } from '../helpers/store.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const at = (s: number) => new Date(TEST_NOW.getTime() + s * 1000);

describe('exposure log', () => {
  it('stores each user once per experiment with their first exposure, written in batches', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const log = new ExposureLog(store, silentLogger, { flushIntervalMs: 60_000 });
    log.record({ userId: 'u1', experimentId: 'exp', variationId: '0', timestamp: at(1) });
    log.record({ userId: 'u1', experimentId: 'exp', variationId: '0', timestamp: at(2) });
    log.record({ userId: 'u2', experimentId: 'exp', variationId: '1', timestamp: at(3) });
    log.record({ userId: 'u1', experimentId: 'other', variationId: '1', timestamp: at(4) });
    expect(await store.collection('exposures').countDocuments()).toBe(0);
    await log.flush();
    // A second replica (a new log) exposing u1 again later changes nothing.
    const replica = new ExposureLog(store, silentLogger, { flushIntervalMs: 60_000 });
    replica.record({ userId: 'u1', experimentId: 'exp', variationId: '0', timestamp: at(9) });
    await replica.close();
    await log.close();
    const rows = await store
      .collection('exposures')
      .find({}, { sort: { experimentId: 1, userId: 1 }, projection: { _id: 0 } })
      .toArray();
    expect(rows).toEqual([
      { userId: 'u1', experimentId: 'exp', variationId: '0', timestamp: at(1) },
      { userId: 'u2', experimentId: 'exp', variationId: '1', timestamp: at(3) },
      { userId: 'u1', experimentId: 'other', variationId: '1', timestamp: at(4) },
    ]);
  });

  it('never throws into the caller when the store fails, and delivers once it recovers', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    let failing = true;
    const flaky: Store = {
      ...store,
      describe: () => 'flaky',
      ping: () => store.ping(),
      close: () => store.close(),
      collection: (name: CollectionName) => {
        const real = store.collection(name);
        return Object.assign(Object.create(real), {
          bulkWrite: async (ops: never[]) => {
            if (failing) throw new Error('store down');
            return real.bulkWrite(ops);
          },
        });
      },
    };
    const log = new ExposureLog(flaky, silentLogger, { flushIntervalMs: 60_000 });
    log.record({ userId: 'u1', experimentId: 'exp', variationId: '0', timestamp: at(1) });
    await expect(log.flush()).resolves.toBeUndefined();
    expect(await store.collection('exposures').countDocuments()).toBe(0);
    failing = false;
    await log.close();
    expect(await store.collection('exposures').countDocuments()).toBe(1);
  });
});
