import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExposureLog } from '../../src/experiments/exposure-log.js';
import type { RankerAssignment } from '../../src/feed/rankers/ranker-assignment.js';
import { experimentResults } from '../../src/experiments/results.js';
import { MarketCatalogue } from '../../src/feed/catalogue/market-catalogue.js';
import { FeedService } from '../../src/feed/feed-service.js';
import { MemorySnapshotStore } from '../../src/feed/pages/snapshots.js';
import { interactionInput } from '../../src/domain/schemas.js';
import { parseBatch } from '../../src/ingest/batch.js';
import { writeInteractions } from '../../src/ingest/interaction-writer.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { simulate, simulateToStore, TEST_END } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';

const END = TEST_END;
const SIM = { seed: 5, users: 1_500, days: 7, end: END };

/** A stable pseudo-random number in [0, 1) per key: the test's only source of randomness. */
const unit = (key: string) => createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

/**
 * Splits users by a hash with the given treatment share (variation '1' gets `treatment`), logging
 * each exposure as GrowthBook's tracking callback would.
 */
function splitAssignment(key: string, control: string, treatment: string, treatmentShare: number) {
  return (exposures: ExposureLog): RankerAssignment => ({
    assign: (userId) => {
      const variation = unit(`${key}:${userId}`) < treatmentShare ? '1' : '0';
      exposures.record({
        userId,
        experimentId: key,
        variationId: variation,
        timestamp: new Date(END.getTime() + 3_600_000),
      });
      return { ranker: variation === '1' ? treatment : control, experiment: { key, variation } };
    },
  });
}

/**
 * Runs an experiment on simulated users: each sees one page of 10 from their assigned ranker and
 * clicks what matches their true (latent) tastes more often, trading some of what they click.
 */
async function runExperiment(
  key: string,
  assignment: (exposures: ExposureLog) => RankerAssignment,
  weights: Record<string, number>,
) {
  const store = await openTestStore({ indexes: false });
  await ensureIndexes(store);
  await simulateToStore(store, { ...SIM, now: END });
  const sim = simulate(SIM);
  const now = new Date(END.getTime() + 3_600_000);
  const catalogue = new MarketCatalogue(store, { refreshMs: 60_000, now: () => now });
  const exposures = new ExposureLog(store, silentLogger, { flushIntervalMs: 60_000 });
  const feed = new FeedService(store, catalogue, new MemorySnapshotStore(), {
    minHorizonMs: 30 * 60_000,
    maxPerEvent: 2,
    snapshotTtlMs: 900_000,
    assignment: assignment(exposures),
    now: () => now,
  });
  const interactions: unknown[] = [];
  for (let u = 0; u < SIM.users; u++) {
    const userId = `user-${u + 1}`;
    const taste = new Map(sim.profile(u).categories.map((c) => [c.category, c.share]));
    const page = await feed.getFeed({ userId, limit: 10, categories: [] });
    page.items.forEach((item, position) => {
      const ts = new Date(now.getTime() + 60_000 + position * 1000).toISOString();
      const base = { userId, ticker: item.ticker, feedId: page.feedId, position };
      interactions.push({ ...base, eventId: `${key}-${userId}-i${position}`, type: 'impression', ts });
      const pClick = 0.02 + 0.3 * (taste.get(item.category) ?? 0);
      if (unit(`${key}:click:${userId}:${position}`) < pClick) {
        interactions.push({ ...base, eventId: `${key}-${userId}-c${position}`, type: 'click', ts });
        if (unit(`${key}:trade:${userId}:${position}`) < 0.3) {
          const { feedId: _f, position: _p, ...trade } = base;
          interactions.push({
            ...trade,
            eventId: `${key}-${userId}-t${position}`,
            type: 'trade',
            ts,
            side: 'yes',
            contracts: 1,
            price: 0.5,
          });
        }
      }
    });
  }
  await exposures.close();
  const { valid, issues } = parseBatch(interactionInput, interactions, 'interactions');
  expect(issues).toEqual([]);
  await writeInteractions(
    store,
    valid.map((v) => v.value),
    now,
  );
  return experimentResults(store, key, { weights });
}

describe('experiment results on a simulated A/B test', () => {
  let ab: Awaited<ReturnType<typeof runExperiment>>;
  beforeAll(async () => {
    ab = await runExperiment(
      'personalized-vs-global',
      splitAssignment('personalized-vs-global', 'popularity-global', 'popularity', 0.5),
      {
        '0': 0.5,
        '1': 0.5,
      },
    );
  }, 120_000);

  it('reports the truly better ranker as a significant win, with the right sign', () => {
    // One sampled exchange (seed 5), as five would take minutes: the thresholds are ones measured to
    // hold on every seed. Over seeds 1–8 (1,500 users each; measured with the simulator's temporal
    // dynamics, #19) the treatment's CTR lift was 23–52 %, its p-value at most 1.9e-3 (seed 4;
    // 1.6e-5 here), the interval's lower bound at least +8 % (+19 % here) and the chance to beat
    // control at least 0.999: p < 0.01 and > 0.99 leave room on all. (Before the dynamics: lifts of
    // 24–49 %, p at most 8.2e-4.)
    const ctr = ab.comparisons.find((c) => c.variationId === '1' && c.metric === 'ctr')!.result;
    expect(ctr.reason).toBeNull();
    expect(ctr.relativeLift).toBeGreaterThan(0);
    expect(ctr.pValue).toBeLessThan(0.01);
    expect(ctr.confidenceInterval!.lower).toBeGreaterThan(0);
    expect(ctr.chanceToBeatControl).toBeGreaterThan(0.99);
    expect(ab.sampleRatioMismatch?.warning).toBe(false);
    const [control, treatment] = ab.variations;
    expect(control!.exposedUsers + treatment!.exposedUsers).toBe(SIM.users);
    expect(control!.impressions).toBe(control!.exposedUsers * 10);
  });

  it('finds no difference between two arms of the same ranker, and no sample ratio mismatch', async () => {
    // One fixed split (its own hash key); the false-positive rate over thousands of A/A splits is
    // the stats module's test. This one checks that nothing in serving or logging biases an arm.
    // The exchange is fixed too: here (seed 5) the smallest p is 0.22, but over seeds 1–8 two
    // exchanges had a metric below 0.05 (seed 2 trade conversion 0.015 and trades per user 0.022,
    // seed 7 trade conversion 0.021; measured with the simulator's temporal dynamics, #19), about the
    // 14 % that three metrics at 0.05 give by chance. A failure after the simulator changes wants a
    // look over seeds, not another seed.
    const aa = await runExperiment('a-a-2', splitAssignment('a-a-2', 'popularity', 'popularity', 0.5), {
      '0': 0.5,
      '1': 0.5,
    });
    for (const c of aa.comparisons) {
      expect(c.result.pValue, c.metric).toBeGreaterThan(0.05);
    }
    expect(aa.sampleRatioMismatch?.warning).toBe(false);
  }, 120_000);

  it('warns of a sample ratio mismatch when the split is not the configured one', async () => {
    const skewed = await runExperiment(
      'skewed',
      splitAssignment('skewed', 'popularity', 'popularity', 0.62),
      { '0': 0.5, '1': 0.5 },
    );
    expect(skewed.sampleRatioMismatch).toMatchObject({ warning: true });
    expect(skewed.sampleRatioMismatch!.pValue).toBeLessThan(0.001);
  }, 120_000);
});
