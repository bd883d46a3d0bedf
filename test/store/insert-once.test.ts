import { describe, expect, it } from 'vitest';
import { insertOnce } from '../../src/store/insert-once.js';
import type { Collection, Document } from '../../src/store/types.js';
import { backends, storePerTest } from '../helpers/backends.js';

describe.each(backends)('insertOnce: $name', (backend) => {
  const storeOf = storePerTest(backend);

  const exposure = (userId: string, experimentId: string, variationId = '0') => ({
    userId,
    experimentId,
    variationId,
  });

  it('stores each key once, keeping the first document for a key', async () => {
    const exposures = storeOf().collection('exposures');
    expect(
      await insertOnce(
        exposures,
        ['userId', 'experimentId'],
        [exposure('a', 'x'), exposure('b', 'x'), exposure('a', 'x', '1')],
      ),
    ).toBe(2);
    expect(
      await insertOnce(exposures, ['userId', 'experimentId'], [exposure('a', 'x', '1'), exposure('a', 'y')]),
    ).toBe(1);
    const rows = await exposures
      .find({}, { sort: { userId: 1, experimentId: 1 }, projection: { _id: 0 } })
      .toArray();
    expect(rows).toEqual([exposure('a', 'x'), exposure('a', 'y'), exposure('b', 'x')]);
  });

  it('counts only what it stored when another writer got a key in first', async () => {
    const real = storeOf().collection('exposures');
    await real.insertMany([exposure('a', 'x')]);
    // A lookup that misses the stored key, as when a concurrent writer commits after it.
    const stale: Collection<Document> = Object.assign(Object.create(real), {
      find: () => ({ toArray: async () => [], [Symbol.asyncIterator]: async function* () {} }),
    });
    expect(
      await insertOnce(stale, ['userId', 'experimentId'], [exposure('a', 'x', '1'), exposure('c', 'x')]),
    ).toBe(1);
    const rows = await real.find({}, { sort: { userId: 1 }, projection: { _id: 0 } }).toArray();
    expect(rows).toEqual([exposure('a', 'x'), exposure('c', 'x')]);
  });
});
