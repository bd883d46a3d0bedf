import type { Config } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import type { JobRunner } from '../job-types.js';
import type { JobMetrics } from '../job-metrics.js';
import { createProcessors } from '../processors.js';
import { schedulesFrom } from '../schedules.js';
import { BullJobRunner } from './bullmq-runner.js';
import { InProcessJobRunner } from './in-process-runner.js';
import { NoQueueJobRunner } from './no-queue-runner.js';

export type RunnerRole =
  /** Enqueues only (API replicas): jobs run on `sibyl worker`s. Without Redis it cannot enqueue. */
  | 'producer'
  /** Runs jobs and owns the schedules (`sibyl worker`). */
  | 'worker';

/**
 * One set of processors. With REDIS_URL: BullMQ, the API enqueueing and workers running. Without:
 * the worker runs its schedules in its own process, and the API refuses triggers (it never runs a
 * job itself).
 */
export async function createJobRunner(
  config: Config,
  store: Store,
  logger: Logger,
  role: RunnerRole,
  /** Counts and times the jobs this process runs (workers). */
  metrics?: JobMetrics,
): Promise<JobRunner> {
  const processors = createProcessors({
    store,
    logger,
    marketSyncUrl: config.MARKET_SYNC_URL,
    config,
    ...(metrics ? { metrics } : {}),
  });
  const schedules = schedulesFrom(config);
  if (config.REDIS_URL) {
    const runner = await BullJobRunner.connect({
      redisUrl: config.REDIS_URL,
      prefix: config.SIBYL_QUEUE_PREFIX,
      logger,
      // An API replica serves feeds while Redis is away; a worker has nothing to do until it is back.
      waitForRedis: role === 'worker',
    });
    if (role !== 'producer') {
      runner.startWorkers(processors);
      await runner.schedule(schedules);
    }
    return runner;
  }
  if (role === 'producer') return new NoQueueJobRunner();
  logger.warn(
    'REDIS_URL is not set: this worker runs the job schedules in its own process; jobs cannot be triggered through the API, and a second worker would run them twice',
  );
  const runner = new InProcessJobRunner(processors, logger);
  runner.schedule(schedules);
  return runner;
}
