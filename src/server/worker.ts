import type { Config } from '../config/env.js';
import { createIngestEvents } from '../ingest/events/ingest-events.js';
import { relayChanges, type ReplicaRelay } from '../ingest/events/replica-relay.js';
import { LiveMarketData } from '../ingest/market-data/live-market-data.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { createJobRunner } from '../../jobs/runners/create-runner.js';
import { RedisLease } from './redis-lease.js';
import { serveMetrics } from './metrics-server.js';
import { JobMetrics } from '../../jobs/job-metrics.js';

export interface WorkerRole {
  runner: JobRunner;
  /** Where this worker's job metrics are served (SIBYL_WORKER_METRICS_PORT), if they are. */
  metricsUrl?: string;
  /** The market stream's consumer, when MARKET_STREAM_URL is set (running only where the lease is held). */
  marketData?: LiveMarketData;
  close(): Promise<void>;
}

/**
 * The worker role's composition root (`sibyl worker`): the job runner with its schedules and, with
 * MARKET_STREAM_URL, the live market data. What the stream changes is relayed over Redis to every
 * API replica at once; with several workers, one consumes the stream at a time (a Redis lease),
 * another taking over within seconds if it dies.
 */
export async function startWorker(config: Config, store: Store, logger: Logger): Promise<WorkerRole> {
  const jobMetrics = new JobMetrics();
  const runner = await createJobRunner(config, store, logger, 'worker', jobMetrics);
  const metrics =
    config.SIBYL_WORKER_METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(jobMetrics.registry, {
          port: config.SIBYL_WORKER_METRICS_PORT,
          host: config.HOST,
          ...(config.METRICS_API_KEY ? { apiKey: config.METRICS_API_KEY } : {}),
        });
  const metricsUrl = metrics ? { metricsUrl: metrics.url } : {};
  if (!config.MARKET_STREAM_URL)
    return {
      runner,
      ...metricsUrl,
      close: async () => {
        await metrics?.close();
        await runner.close();
      },
    };

  const events = createIngestEvents();
  let relay: ReplicaRelay | undefined;
  if (config.REDIS_URL)
    relay = await relayChanges(events, {
      redisUrl: config.REDIS_URL,
      prefix: config.SIBYL_QUEUE_PREFIX,
      onConnectionChange: (up) => {
        if (!up) logger.warn('changes channel down: API replicas see market changes at their next refresh');
      },
      logger,
    });
  else
    logger.warn(
      'REDIS_URL is not set: API replicas see market changes at their next catalogue refresh (CATALOGUE_REFRESH_SECONDS)',
    );
  const marketData = new LiveMarketData(store, {
    streamUrl: config.MARKET_STREAM_URL,
    ...(config.MARKET_SYNC_URL ? { syncUrl: config.MARKET_SYNC_URL } : {}),
    events,
    logger,
  });
  const lease = config.REDIS_URL
    ? new RedisLease(
        config.REDIS_URL,
        `${config.SIBYL_QUEUE_PREFIX}:market-stream:lease`,
        { onAcquire: () => marketData.start(), onLose: () => marketData.stop() },
        { logger },
      )
    : undefined;
  if (lease) lease.start();
  else marketData.start();
  return {
    runner,
    marketData,
    ...metricsUrl,
    close: async () => {
      await metrics?.close();
      if (lease) await lease.stop();
      else await marketData.stop();
      await relay?.close();
      await runner.close();
    },
  };
}
