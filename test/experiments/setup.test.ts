import { describe, expect, it } from 'vitest';
import { setUpExperiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { openTestStore } from '../helpers/store.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

describe('experiments set up from the definitions directory', () => {
  it("logs GrowthBook's tracked exposures, once per user, with the variation each user was served, stamped by the given clock", async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    const experiments = (await setUpExperiments({ dir: 'experiments' }, store, silentLogger, {
      now: () => TEST_NOW,
    }))!;
    const served = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const userId = `user-${i}`;
      const choice = experiments.assigner.assign(userId, {});
      served.set(userId, choice.experiment!.variation);
      experiments.assigner.assign(userId, {});
    }
    await experiments.close();
    const rows = await store
      .collection('exposures')
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(rows).toHaveLength(300);
    for (const row of rows) {
      expect(row.experimentId).toBe('ranker-two-tower-vs-popularity');
      expect(row.variationId).toBe(served.get(row.userId));
      expect(row.timestamp).toEqual(TEST_NOW);
    }
  });

  it('runs without experiments when the directory does not exist', async () => {
    const store = await openTestStore({ indexes: false });
    expect(await setUpExperiments({ dir: '/nonexistent/experiments' }, store, silentLogger)).toBeUndefined();
  });
});
