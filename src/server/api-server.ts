import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createApp } from '../api/app.js';
import { ApiMetrics } from '../api/metrics.js';
import type { Config } from '../config/env.js';
import { MarketCatalogue } from '../feed/catalogue/market-catalogue.js';
import { FeedService } from '../feed/feed-service.js';
import { MemorySnapshotStore } from '../feed/pages/snapshots.js';
import {
  FallbackSnapshotStore,
  feedSnapshotKeyPrefix,
  RedisSnapshotStore,
} from '../feed/pages/redis-snapshots.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { redisStickyBuckets } from '../experiments/sticky-buckets.js';
import { Redis } from 'ioredis';
import { setUpExperiments } from '../experiments/setup.js';
import { activeModelWatcherFromConfig, modelRegistryFromConfig } from '../../models/registry/index.js';
import { ActiveModel } from '../feed/active-model.js';
import { marketIndex, marketIndexInChunks } from '../feed/catalogue/market-index.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AnnIndexBuilder } from '../feed/catalogue/ann-indexes.js';
import { relayUserChanges, type ReplicaRelay } from '../ingest/events/replica-relay.js';
import { createIngestEvents } from '../ingest/events/ingest-events.js';

export interface ApiServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

export interface StartApiOptions {
  config: Config;
  store: Store;
  logger: Logger;
  jobs: JobRunner;
  /** Overrides for tests and benchmarks. */
  port?: number;
  host?: string;
  requestLogging?: boolean;
  metrics?: ApiMetrics;
}

/** Wires the feed pipeline and the HTTP app, loads the catalogue, then listens. */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  const { config, store, logger } = options;
  // What ingestion stores reaches the catalogue, the users' cache and (with Redis) other replicas.
  const events = createIngestEvents();
  // Market vectors are computed for each catalogue refresh and each model swap before either is
  // published, so no feed request waits for them. Large catalogues also get an ANN index, built
  // in the background (feeds scan exactly until it is ready).
  const models = modelRegistryFromConfig(config, store, logger);
  const ann = new AnnIndexBuilder({ minMarkets: config.FEED_ANN_MIN_MARKETS }, logger);
  const activeModel = new ActiveModel(
    (version) => models.loadModel(version),
    logger,
    async (model) => {
      const snapshot = catalogue.peek();
      if (!snapshot) return;
      // Every market is new to a new model: embedded in chunks, so requests go on meanwhile.
      await marketIndexInChunks(snapshot, model, () => nextTurn());
      ann.request(snapshot, model);
    },
  );
  const catalogue = new MarketCatalogue(store, {
    refreshMs: config.CATALOGUE_REFRESH_SECONDS * 1000,
    // Refreshed features change every user's context: cached ones are dropped.
    onFeaturesRefreshed: () => feed.userContexts?.clear(),
    events,
    prepare: (snapshot) => {
      const model = activeModel.current();
      if (!model) return;
      marketIndex(snapshot, model);
      ann.request(snapshot, model);
    },
  });
  // Sticky buckets share the jobs' Redis, under the deployment's key prefix.
  const stickyRedis = config.SIBYL_STICKY_BUCKETING
    ? new Redis(config.REDIS_URL!, { keyPrefix: `${config.SIBYL_QUEUE_PREFIX}:sticky:` })
    : undefined;
  const experiments = await setUpExperiments(
    {
      dir: config.SIBYL_EXPERIMENTS_DIR,
      ...(stickyRedis ? { stickyBuckets: redisStickyBuckets(stickyRedis) } : {}),
      ...(config.GROWTHBOOK_API_HOST && config.GROWTHBOOK_CLIENT_KEY
        ? { growthbook: { apiHost: config.GROWTHBOOK_API_HOST, clientKey: config.GROWTHBOOK_CLIENT_KEY } }
        : {}),
    },
    store,
    logger,
  );
  // The active model is loaded before listening when there is one; later promotions swap in live.
  const watcher = activeModelWatcherFromConfig(config, models, logger);
  activeModel.watch(watcher);
  await watcher.start();
  await activeModel.follow(watcher.current);
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
  const snapshots = snapshotRedis
    ? new FallbackSnapshotStore(new RedisSnapshotStore(snapshotRedis, ''), new MemorySnapshotStore())
    : new MemorySnapshotStore();
  // Users' contexts are cached per replica; with Redis, writes on any replica invalidate them on all.
  const userCacheMs = config.FEED_USER_CACHE_SECONDS * 1000;
  let userChanges: ReplicaRelay | undefined;
  const feed = new FeedService(store, catalogue, snapshots, {
    model: activeModel,
    logger,
    events,
    ...(userCacheMs > 0
      ? { userCache: { maxAgeMs: userCacheMs, maxEntries: config.FEED_USER_CACHE_SIZE } }
      : {}),
    minHorizonMs: config.FEED_MIN_HORIZON_MINUTES * 60_000,
    maxPerEvent: config.FEED_MAX_PER_EVENT,
    snapshotTtlMs: config.FEED_SNAPSHOT_TTL_SECONDS * 1000,
    assignment: experiments?.assignment,
  });
  if (config.REDIS_URL && feed.userContexts) {
    const cache = feed.userContexts;
    userChanges = await relayUserChanges(events, {
      redisUrl: config.REDIS_URL,
      prefix: config.SIBYL_QUEUE_PREFIX,
      // While changes may be missed, trust a cached context for a second at most; on recovery
      // forget everything, since what was published in between is lost.
      onConnectionChange: (connected) => {
        cache.setMaxAge(connected ? userCacheMs : Math.min(userCacheMs, 1000));
        if (connected) cache.clear();
        else logger.warn('user changes channel down: cached user contexts live 1 s');
      },
      logger,
    });
    if (!userChanges.connected()) cache.setMaxAge(Math.min(userCacheMs, 1000));
  }
  const app = createApp({
    store,
    catalogue,
    feed,
    events,
    model: activeModel,
    metrics: options.metrics ?? new ApiMetrics(),
    logger,
    apiKeys: config.SIBYL_API_KEYS,
    maxBatch: config.INGEST_MAX_BATCH,
    jobs: options.jobs,
    models,
    experiments,
    checks: [
      ...(experiments ? [{ name: 'experiments', check: async () => experiments.status() }] : []),
      ...(snapshots instanceof FallbackSnapshotStore
        ? [{ name: 'feed-snapshots', check: async () => snapshots.degraded() }]
        : []),
      ...(config.REDIS_URL && feed.userContexts
        ? [
            {
              name: 'user-changes',
              check: async () => {
                if (!userChanges?.connected())
                  return 'degraded: not subscribed to user changes; cached user contexts live 1 s';
              },
            },
          ]
        : []),
    ],
    requestLogging: options.requestLogging ?? true,
  });
  await catalogue.reload();

  const server = createServer(app);
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.PORT, options.host ?? config.HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = (options.host ?? config.HOST) === '0.0.0.0' ? 'localhost' : (options.host ?? config.HOST);
  return {
    server,
    url: `http://${host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      });
      await watcher.stop();
      snapshotRedis?.disconnect();
      await userChanges?.close();
      // Exposures still buffered are written before the store closes.
      await experiments?.close();
      stickyRedis?.disconnect();
    },
  };
}
