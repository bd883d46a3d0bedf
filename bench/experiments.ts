/**
 * Experiments: the latency assignment and exposure logging add to a feed request (the same feed
 * requests with and without an experiment, measured in one run), and the time to compute results
 * from exposures and post-exposure interactions at growing sizes.
 */
import { experimentResults } from '../src/experiments/results.js';
import { loadConfig } from '../src/config/env.js';
import { composeApi } from '../src/server/api-composition.js';
import { NoQueueJobRunner } from '../jobs/runners/no-queue-runner.js';
import { silentLogger } from '../src/log/logger.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import { median, peakRssMb, percentile, table } from './harness.js';
import { openEmbeddedStore } from '../src/store/embedded-store.js';

const REQUESTS = 4_000;
const RESULT_SIZES = [100_000, 300_000, 1_000_000];

async function assignmentOverhead(): Promise<void> {
  const store = await openEmbeddedStore();
  await ensureIndexes(store);
  await simulateToStore(store, { seed: 13, users: 2_000, days: 7 });
  // Two API compositions on one store: without experiments, and with the shipped definitions.
  const compose = (experimentsDir: string) =>
    composeApi({
      config: { ...loadConfig({}), SIBYL_EXPERIMENTS_DIR: experimentsDir, FEED_USER_CACHE_SECONDS: 0 },
      store,
      logger: silentLogger,
      jobs: new NoQueueJobRunner(),
      model: { current: () => undefined },
    });
  const plainApi = await compose('experiments/none-here');
  const assignedApi = await compose('experiments');
  const experiments = assignedApi.experiments!;
  await Promise.all([plainApi.catalogue.reload(), assignedApi.catalogue.reload()]);
  const plain = plainApi.feed;
  const assigned = assignedApi.feed;
  const user = (i: number) => `user-${1 + ((i * 7919) % 2_000)}`;
  const times = { plain: [] as number[], assigned: [] as number[], assign: [] as number[] };
  for (let i = 0; i < REQUESTS + 200; i++) {
    // Interleaved so both see the same heap and catalogue.
    for (const [name, feed] of [
      ['plain', plain],
      ['assigned', assigned],
    ] as const) {
      const t = performance.now();
      await feed.getFeed({ userId: user(i), limit: 20, categories: [] });
      if (i >= 200) times[name].push(performance.now() - t);
    }
    const t = performance.now();
    experiments.assigner.assign(`bench-${i}`, { id: `bench-${i}` });
    if (i >= 200) times.assign.push(performance.now() - t);
  }
  await Promise.all([plainApi.close(), assignedApi.close()]);
  table(
    `Added latency per feed request (first pages, 2,000 simulated users, ${REQUESTS} requests each, interleaved)`,
    [
      {
        path: 'feed without experiment (baseline)',
        'p50 ms': median(times.plain),
        'p99 ms': percentile(times.plain, 99),
      },
      {
        path: 'feed with GrowthBook assignment + exposure log',
        'p50 ms': median(times.assigned),
        'p99 ms': percentile(times.assigned, 99),
      },
      {
        path: 'added (difference of the above)',
        'p50 ms': median(times.assigned) - median(times.plain),
        'p99 ms': percentile(times.assigned, 99) - percentile(times.plain, 99),
      },
      {
        path: 'RankerAssigner.assign alone (user attributes in hand)',
        'p50 ms': median(times.assign),
        'p99 ms': percentile(times.assign, 99),
      },
    ],
  );
}

async function resultsAt(exposed: number): Promise<Record<string, string | number>> {
  const store = await openEmbeddedStore();
  await ensureIndexes(store);
  const at = new Date('2026-11-22T00:00:00Z');
  const exposures = [];
  const interactions = [];
  for (let i = 0; i < exposed; i++) {
    const userId = `u${i}`;
    exposures.push({ userId, experimentId: 'bench', variationId: String(i % 2), timestamp: at });
    // One impression per exposed user, a click for one in ten: 1.1 interactions per exposure.
    interactions.push({
      eventId: `i${i}`,
      userId,
      ticker: 'T',
      type: 'impression',
      ts: new Date(at.getTime() + 1000),
    });
    if (i % 10 === 0)
      interactions.push({
        eventId: `c${i}`,
        userId,
        ticker: 'T',
        type: 'click',
        ts: new Date(at.getTime() + 2000),
      });
  }
  await store.collection('exposures').insertMany(exposures);
  await store.collection('interactions').insertMany(interactions);
  const t = performance.now();
  const results = await experimentResults(store, 'bench', { weights: { '0': 0.5, '1': 0.5 } });
  const seconds = (performance.now() - t) / 1000;
  if (results.variations.reduce((n, v) => n + v.exposedUsers, 0) !== exposed)
    throw new Error('lost exposures');
  await store.close();
  return {
    exposures: exposed,
    interactions: interactions.length,
    'results s': seconds,
    'peak RSS MB': peakRssMb(),
  };
}

export default async function run(): Promise<void> {
  await assignmentOverhead();
  const rows = [];
  for (const n of RESULT_SIZES) rows.push(await resultsAt(n));
  table('Results computation (experimentResults), embedded store', rows);
}
