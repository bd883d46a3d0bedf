import { ApiMetrics } from '../../src/api/metrics.js';
import type { ExperimentControl } from '../../src/api/routes/experiments.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { listenApi } from '../../src/server/api-server.js';
import type { MarketCatalogue } from '../../src/feed/catalogue/market-catalogue.js';
import type { FeedService, FeedServiceOptions } from '../../src/feed/feed-service.js';
import type { IngestEvents } from '../../src/ingest/events/ingest-events.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { composeApi, type ApiComposition } from '../../src/server/api-composition.js';
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
  app: ApiComposition['app'];
  store: Store;
  catalogue: MarketCatalogue;
  clock: TestClock;
  jobs: JobRunner;
  feed: FeedService;
  events: IngestEvents;
  /** Everything composeApi wired (the push hub among it). */
  composition: ApiComposition;
}

/**
 * The real API, composed by the same root as `sibyl serve` (src/server/api-composition.ts), on an
 * in-memory `sibyl store` (or the one given), with a hand-driven clock. Jobs triggered through it run
 * in this process, standing in for the worker; no model unless one is given, no experiments unless
 * given, and no Redis.
 */
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
    /** Settings over the tests' defaults (FEED_PUSH_*, rate limits, load shedding, metrics key…). */
    config?: Partial<Config>;
    /** Heartbeats of open streams. @defaultValue 15000 */
    streamHeartbeatMs?: number;
    /** @defaultValue silentLogger */
    logger?: Logger;
    /** Log every request to `logger`. @defaultValue false */
    requestLogging?: boolean;
    metrics?: ApiMetrics;
  } = {},
): Promise<TestApi> {
  const store = options.store ?? (await openTestStore({ indexes: false }));
  await ensureIndexes(store);
  const clock = new TestClock((options.now ?? TEST_NOW).getTime());
  const config = {
    ...loadConfig({}),
    SIBYL_API_KEYS: [API_KEY],
    INGEST_MAX_BATCH: options.maxBatch ?? 1000,
    FEED_SNAPSHOT_TTL_SECONDS: (options.snapshotTtlMs ?? 15 * 60_000) / 1000,
    FEED_MIN_HORIZON_MINUTES: 30,
    FEED_MAX_PER_EVENT: 2,
    // As served: users' contexts cached between requests, invalidated by writes through the API.
    FEED_USER_CACHE_SECONDS: 30,
    FEED_USER_CACHE_SIZE: 10_000,
    CATALOGUE_REFRESH_SECONDS: 60,
    ...options.config,
  };
  const jobs = new InProcessJobRunner(
    createProcessors({ store, logger: silentLogger, now: clock.now }),
    silentLogger,
    10,
  );
  const api = await composeApi({
    config,
    store,
    logger: options.logger ?? silentLogger,
    jobs,
    now: clock.now,
    model: options.model ?? { current: () => undefined },
    experiments: { control: options.experiments, assignment: options.assignment },
    ...(options.events ? { events: options.events } : {}),
    metrics: options.metrics ?? new ApiMetrics(false),
    requestLogging: options.requestLogging ?? false,
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
  });
  return {
    app: api.app,
    store,
    catalogue: api.catalogue,
    clock,
    jobs,
    feed: api.feed,
    events: api.events,
    composition: api,
  };
}

/** The test API (as `makeTestApi`) listening on a loopback port, the feed WebSocket included. */
export async function listenTestApi(
  options: Parameters<typeof makeTestApi>[0] = {},
): Promise<TestApi & { url: string; close(): Promise<void> }> {
  const api = await makeTestApi(options);
  const server = await listenApi(api.composition, 0, '127.0.0.1');
  return { ...api, url: server.url, close: () => server.close() };
}
