import { createApp } from '../../src/api/app.js';
import { ApiMetrics } from '../../src/api/metrics.js';
import { MarketCatalogue } from '../../src/feed/catalogue/market-catalogue.js';
import { FeedService, type FeedServiceOptions } from '../../src/feed/feed-service.js';
import type { ExperimentControl } from '../../src/api/routes/experiments.js';
import { createIngestEvents, type IngestEvents } from '../../src/ingest/events/ingest-events.js';
import { MemorySnapshotStore } from '../../src/feed/pages/snapshots.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { createProcessors } from '../../jobs/processors.js';
import { InProcessJobRunner } from '../../jobs/runners/in-process-runner.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { TEST_NOW } from './fixed-clock.js';
import { openTestStore } from './store.js';

export const API_KEY = 'test-key';
export const auth = { Authorization: `Bearer ${API_KEY}` };

/** A clock tests move by hand. */
export class TestClock {
  constructor(public ms: number) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

export interface TestApi {
  app: ReturnType<typeof createApp>;
  store: Store;
  catalogue: MarketCatalogue;
  clock: TestClock;
  jobs: JobRunner;
  feed: FeedService;
  events: IngestEvents;
}

/** The real app on an in-memory embedded store (or the one given) with a hand-driven clock. */
export async function makeTestApi(
  options: {
    now?: Date;
    store?: Store;
    snapshotTtlMs?: number;
    maxBatch?: number;
    assignment?: FeedServiceOptions['assignment'];
    model?: FeedServiceOptions['model'];
    /** Shared with a replica relay in cross-replica tests; a fresh one otherwise. */
    events?: IngestEvents;
    experiments?: ExperimentControl;
  } = {},
): Promise<TestApi> {
  const store = options.store ?? (await openTestStore({ indexes: false }));
  await ensureIndexes(store);
  const events = options.events ?? createIngestEvents();
  const clock = new TestClock((options.now ?? TEST_NOW).getTime());
  const catalogue = new MarketCatalogue(store, {
    refreshMs: 60_000,
    now: clock.now,
    onFeaturesRefreshed: () => feed.userContexts?.clear(),
    events,
  });
  const snapshots = new MemorySnapshotStore(1000, () => clock.ms);
  const feed = new FeedService(store, catalogue, snapshots, {
    minHorizonMs: 30 * 60_000,
    maxPerEvent: 2,
    snapshotTtlMs: options.snapshotTtlMs ?? 15 * 60_000,
    assignment: options.assignment,
    model: options.model,
    now: clock.now,
    // As served: users' contexts cached between requests, invalidated by writes through the API.
    userCache: { maxAgeMs: 30_000, maxEntries: 10_000, now: () => clock.ms },
    events,
  });
  const jobs = new InProcessJobRunner(
    createProcessors({ store, logger: silentLogger, now: clock.now }),
    silentLogger,
    10,
  );
  const app = createApp({
    jobs,
    experiments: options.experiments,
    now: clock.now,
    store,
    catalogue,
    feed,
    events,
    model: options.model,
    metrics: new ApiMetrics(false),
    logger: silentLogger,
    apiKeys: [API_KEY],
    maxBatch: options.maxBatch ?? 1000,
    requestLogging: false,
  });
  return { app, store, catalogue, clock, jobs, feed, events };
}
