import { setImmediate as nextTurn } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Express } from 'express';
import { timestampWindow } from '../ingest/timestamp-window.js';
import { createApp } from '../api/app.js';
import { ApiMetrics } from '../api/metrics.js';
import { RateLimits } from '../api/rate-limits.js';
import type { ExperimentControl } from '../api/routes/experiments.js';
import type { ReadinessCheck } from '../api/routes/ops.js';
import type { Config } from '../config/env.js';
import { redisStickyBuckets } from '../experiments/sticky-buckets.js';
import { setUpExperiments, type Experiments } from '../experiments/setup.js';
import { ActiveModel, type ActiveModelSource } from '../feed/active-model.js';
import { AnnIndexBuilder } from '../feed/catalogue/ann-indexes.js';
import { MarketCatalogue } from '../feed/catalogue/market-catalogue.js';
import { marketScores, marketScoresInChunks } from '../feed/catalogue/market-index.js';
import { FeedService } from '../feed/feed-service.js';
import { servedKinds } from '../feed/rankers/rankers.js';
import {
  FallbackSnapshotStore,
  feedSnapshotKeyPrefix,
  RedisSnapshotStore,
} from '../feed/pages/redis-snapshots.js';
import { MemorySnapshotStore, type FeedSnapshotStore } from '../feed/pages/snapshots.js';
import type { RankerAssignment } from '../feed/rankers/ranker-assignment.js';
import { createIngestEvents, type IngestEvents } from '../ingest/events/ingest-events.js';
import { relayChanges, type ReplicaRelay } from '../ingest/events/replica-relay.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { userAuthorizer } from '../api/auth.js';
import { FeedSocket } from '../api/feed-socket.js';
import { StreamConnections } from '../api/stream-connections.js';
import { MemoryEventLog, RedisEventLog, type EventLog } from '../feed/push/event-log.js';
import { PushHub } from '../feed/push/push-hub.js';
import type { JobRunner } from '../../jobs/job-types.js';
import {
  activeModelWatcherFromConfig,
  modelRegistryFromConfig,
  type ModelRegistry,
} from '../../models/registry/index.js';

export interface ComposeApiOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** Where job triggers go: the queue the workers consume (the API never runs a job itself). */
  jobs: JobRunner;
  /** The clock for serving and stamping writes. @defaultValue () => new Date() */
  now?: () => Date;
  /**
   * The model feeds rank with. @defaultValue the registry's active model, followed as it changes
   * (tests and benchmarks may hand in one of their own).
   */
  model?: ActiveModelSource;
  /**
   * Experiments decided by the caller instead of SIBYL_EXPERIMENTS_DIR / GrowthBook: what the
   * experiment routes show and how the feed assigns rankers.
   */
  experiments?: { control?: ExperimentControl; assignment?: RankerAssignment };
  /** Shared with another composition in cross-replica tests. @defaultValue a fresh stream */
  events?: IngestEvents;
  metrics?: ApiMetrics;
  /** @defaultValue true */
  requestLogging?: boolean;
  /** How often open streams get a heartbeat (SSE comment, WebSocket ping). @defaultValue 15000 */
  streamHeartbeatMs?: number;
}

/** One API replica's parts, wired; `startApi` serves them over HTTP. */
export interface ApiComposition {
  app: Express;
  catalogue: MarketCatalogue;
  feed: FeedService;
  events: IngestEvents;
  models: ModelRegistry;
  model: ActiveModelSource;
  /** Experiments from SIBYL_EXPERIMENTS_DIR or GrowthBook, when any (not when the caller decided them). */
  experiments: Experiments | undefined;
  /** Live feed pushes: the hub, the open streams (drained at shutdown) and the WebSocket endpoint. */
  push: { hub: PushHub; connections: StreamConnections; socket: FeedSocket };
  /** Stops the background parts (model watcher, Redis connections, the exposure writer's last flush). */
  close(): Promise<void>;
}

/**
 * The API role's composition root: the one place its parts are wired, for `sibyl serve`, tests and
 * benchmarks alike. Nothing here listens or loads yet; see `startApi`.
 */
export async function composeApi(options: ComposeApiOptions): Promise<ApiComposition> {
  const { config, store, logger } = options;
  const now = options.now ?? (() => new Date());
  // What ingestion stores reaches the catalogue, the users' cache and (with Redis) other replicas.
  const events = options.events ?? createIngestEvents();
  const models = modelRegistryFromConfig(config, store, logger);
  // Market vectors are computed for each catalogue refresh and each model swap before either is
  // published, so no feed request waits for them. Large catalogues also get an ANN index, built
  // in the background (feeds scan exactly until it is ready).
  const ann = new AnnIndexBuilder({ minMarkets: config.FEED_ANN_MIN_MARKETS }, logger);
  const following = options.model
    ? undefined
    : new ActiveModel(
        (version) => models.loadModel(version),
        logger,
        async (model) => {
          const snapshot = catalogue.peek();
          if (!snapshot) return;
          // Every market is new to a new model: embedded in chunks, so requests go on meanwhile.
          await marketScoresInChunks(snapshot, model, () => nextTurn());
          ann.request(snapshot, model);
        },
      );
  const model: ActiveModelSource = options.model ?? following!;
  const catalogue = new MarketCatalogue(store, {
    refreshMs: config.CATALOGUE_REFRESH_SECONDS * 1000,
    now,
    // Refreshed features change every user's context: cached ones are dropped.
    onFeaturesRefreshed: () => feed.userContexts?.clear(),
    events,
    prepare: (snapshot) => {
      // Every kind's model (a test's one model may answer for several kinds: once each).
      const serving = new Set(servedKinds().map((kind) => model.current(kind)));
      for (const m of serving) {
        if (!m) continue;
        marketScores(snapshot, m);
        ann.request(snapshot, m);
      }
    },
  });

  // Sticky buckets share the jobs' Redis, under the deployment's key prefix.
  const stickyRedis =
    config.SIBYL_STICKY_BUCKETING && !options.experiments
      ? new Redis(config.REDIS_URL!, { keyPrefix: `${config.SIBYL_QUEUE_PREFIX}:sticky:` })
      : undefined;
  // Without a listener ioredis prints every failed reconnection as an unhandled error event.
  stickyRedis?.on('error', () => {});
  const metrics = options.metrics ?? new ApiMetrics();
  const experiments = options.experiments
    ? undefined
    : await setUpExperiments(
        {
          dir: config.SIBYL_EXPERIMENTS_DIR,
          ...(stickyRedis ? { stickyBuckets: redisStickyBuckets(stickyRedis) } : {}),
          ...(config.GROWTHBOOK_API_HOST && config.GROWTHBOOK_CLIENT_KEY
            ? { growthbook: { apiHost: config.GROWTHBOOK_API_HOST, clientKey: config.GROWTHBOOK_CLIENT_KEY } }
            : {}),
        },
        store,
        logger,
        {
          onExposure: (e) => metrics.exposures.inc({ experiment: e.experimentId, variation: e.variationId }),
        },
      );

  // The active models (one per kind) are loaded before serving; later promotions swap in live.
  const watcher = following ? activeModelWatcherFromConfig(config, models, logger) : undefined;
  if (following && watcher) {
    following.watch(watcher);
    await watcher.start();
    for (const doc of watcher.current) await following.follow(doc.kind, doc);
  }

  // Feed snapshots in Redis (shared by replicas) when configured, falling back to memory.
  const snapshotRedis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        keyPrefix: feedSnapshotKeyPrefix(config.SIBYL_QUEUE_PREFIX),
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
      })
    : undefined;
  snapshotRedis?.on('error', () => {}); // reported through /readyz, not as unhandled events
  const inMemory = new MemorySnapshotStore(10_000, () => now().getTime());
  const snapshots: FeedSnapshotStore = snapshotRedis
    ? new FallbackSnapshotStore(new RedisSnapshotStore(snapshotRedis, ''), inMemory)
    : inMemory;

  // Rate limits shared by replicas through Redis; each replica counts alone while it is unreachable.
  const rateRedis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 })
    : undefined;
  rateRedis?.on('error', () => {}); // the limits fall back to memory; /readyz names Redis's state elsewhere
  const rateLimits = new RateLimits(
    {
      writesPerKey: config.SIBYL_RATE_LIMIT_WRITES_PER_KEY,
      writesPerAddress: config.SIBYL_RATE_LIMIT_WRITES_PER_ADDRESS,
      failedAuthPerAddress: config.SIBYL_RATE_LIMIT_FAILED_AUTH,
    },
    rateRedis ? { client: rateRedis, prefix: config.SIBYL_QUEUE_PREFIX } : undefined,
  );

  // Users' contexts are cached per replica; with Redis, writes on any replica invalidate them on all.
  const userCacheMs = config.FEED_USER_CACHE_SECONDS * 1000;
  const feed = new FeedService(store, catalogue, snapshots, {
    model,
    logger,
    events,
    now,
    ...(userCacheMs > 0
      ? {
          userCache: {
            maxAgeMs: userCacheMs,
            maxEntries: config.FEED_USER_CACHE_SIZE,
            now: () => now().getTime(),
          },
        }
      : {}),
    minHorizonMs: config.FEED_MIN_HORIZON_MINUTES * 60_000,
    maxPerEvent: config.FEED_MAX_PER_EVENT,
    snapshotTtlMs: config.FEED_SNAPSHOT_TTL_SECONDS * 1000,
    assignment: options.experiments ? options.experiments.assignment : experiments?.assignment,
  });
  const userChanges = await followChangesOnRedis(config, feed, events, logger);

  // Live pushes: events numbered in a log every replica shares (Redis), or this one's memory.
  const retainMs = config.FEED_PUSH_RETAIN_SECONDS * 1000;
  // No command timeout: under a burst an append answered late is better than an event lost. The
  // appends a market change sets off go out in one write (auto-pipelining).
  const pushRedis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        enableAutoPipelining: true,
      })
    : undefined;
  pushRedis?.on('error', () => {}); // an append that fails is logged by the hub
  const pushLog: EventLog = pushRedis
    ? new RedisEventLog(pushRedis, config.SIBYL_QUEUE_PREFIX, retainMs)
    : new MemoryEventLog(retainMs);
  const hub = new PushHub(
    { feed, catalogue, log: pushLog, events, now, logger },
    {
      priceCents: config.FEED_PUSH_PRICE_CENTS,
      topK: config.FEED_PUSH_TOP_K,
      minChangeIntervalMs: config.FEED_PUSH_MIN_SECONDS * 1000,
      lingerMs: retainMs,
    },
  );
  const connections = new StreamConnections(options.streamHeartbeatMs);
  const authorize = userAuthorizer({
    apiKeys: config.SIBYL_API_KEYS,
    ...(config.SIBYL_USER_TOKEN_SECRET ? { userTokenSecret: config.SIBYL_USER_TOKEN_SECRET } : {}),
    now,
  });
  const push = { hub, connections, authorize, queueBytes: config.FEED_PUSH_QUEUE_BYTES };
  metrics.watchPush(() => ({
    streams: connections.size,
    watchedFeeds: hub.stats.watches,
    events: hub.stats.events,
    reranks: hub.stats.reranks,
    appendFailures: hub.stats.appendFailures,
  }));
  const socket = new FeedSocket({ ...push, logger });

  const checks: ReadinessCheck[] = [
    ...(experiments ? [{ name: 'experiments', check: async () => experiments.status() }] : []),
    ...(snapshots instanceof FallbackSnapshotStore
      ? [{ name: 'feed-snapshots', check: async () => snapshots.degraded() }]
      : []),
    ...(userChanges
      ? [
          {
            name: 'user-changes',
            check: async () => {
              if (!userChanges.connected())
                return 'degraded: not subscribed to user changes; cached user contexts live 1 s';
            },
          },
        ]
      : []),
  ];
  const app = createApp({
    store,
    catalogue,
    feed,
    events,
    model,
    now,
    metrics,
    logger,
    apiKeys: config.SIBYL_API_KEYS,
    corsOrigins: config.SIBYL_CORS_ORIGINS,
    maxBatch: config.INGEST_MAX_BATCH,
    tsWindow: timestampWindow(config),
    rateLimits,
    ...(config.METRICS_API_KEY ? { metricsApiKey: config.METRICS_API_KEY } : {}),
    trustProxy: config.SIBYL_TRUST_PROXY,
    loadShedding: {
      maxInFlight: config.SIBYL_MAX_IN_FLIGHT,
      retryAfterSeconds: config.SIBYL_SHED_RETRY_AFTER_SECONDS,
    },
    jobs: options.jobs,
    models,
    experiments: options.experiments ? options.experiments.control : experiments,
    checks,
    dashboard: {
      assetsDir: config.SIBYL_DASHBOARD_DIR,
      sessionTtlMs: config.SIBYL_DASHBOARD_SESSION_HOURS * 3_600_000,
    },
    requestLogging: options.requestLogging ?? true,
    push,
    feedAuth: {
      authorize,
      // Configuring user tokens closes feeds to anonymous callers unless explicitly kept open.
      required: config.FEED_REQUIRE_USER_TOKEN ?? config.SIBYL_USER_TOKEN_SECRET !== undefined,
      hidePersonalReasons: config.SIBYL_USER_TOKEN_SECRET !== undefined,
    },
  });

  return {
    app,
    catalogue,
    feed,
    events,
    models,
    model,
    experiments,
    push: { hub, connections, socket },
    close: async () => {
      connections.drain();
      socket.close();
      hub.close();
      pushRedis?.disconnect();
      await watcher?.stop();
      snapshotRedis?.disconnect();
      rateRedis?.disconnect();
      await userChanges?.close();
      // Exposures still buffered are written before the store closes.
      await experiments?.close();
      stickyRedis?.disconnect();
    },
  };
}

/**
 * With Redis, what any replica or worker stored reaches every replica: users' changes invalidate
 * their cached contexts, catalogue changes refresh the catalogue (and so drive live pushes). While
 * changes may be missed, a cached context is trusted for a second at most; on recovery everything
 * is forgotten, since what was published in between is lost.
 */
async function followChangesOnRedis(
  config: Config,
  feed: FeedService,
  events: IngestEvents,
  logger: Logger,
): Promise<ReplicaRelay | undefined> {
  if (!config.REDIS_URL) return undefined;
  const cache = feed.userContexts;
  const userCacheMs = config.FEED_USER_CACHE_SECONDS * 1000;
  const relay = await relayChanges(events, {
    redisUrl: config.REDIS_URL,
    prefix: config.SIBYL_QUEUE_PREFIX,
    onConnectionChange: (connected) => {
      cache?.setMaxAge(connected ? userCacheMs : Math.min(userCacheMs, 1000));
      if (connected) cache?.clear();
      else
        logger.warn(
          'changes channel down: cached user contexts live 1 s, pushes wait for catalogue refreshes',
        );
    },
    logger,
  });
  if (!relay.connected()) cache?.setMaxAge(Math.min(userCacheMs, 1000));
  return relay;
}
