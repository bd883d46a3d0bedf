import type { Config } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import type { JobRunner } from '../job-types.js';
import { createProcessors } from '../processors.js';
import { schedulesFrom } from '../schedules.js';
import { BullJobRunner } from './bullmq-runner.js';
import { InProcessJobRunner } from './in-process-runner.js';

export type RunnerRole =
  /** Enqueues only (API replicas): jobs run on `sibyl worker`s. In-process when Redis is not configured. */
  | 'producer'
  /** Runs jobs and owns the schedules (`sibyl worker`). */
  | 'worker'
  /** Everything in this process on a schedule, with BullMQ if Redis is configured (`sibyl demo`). */
  | 'all-in-one';

export class RunnerConfigError extends Error {
  override name = 'RunnerConfigError';
}

/** One set of processors, two runners: BullMQ when REDIS_URL is set, in-process otherwise. */
export async function createJobRunner(
  config: Config,
  store: Store,
  logger: Logger,
  role: RunnerRole,
): Promise<JobRunner> {
  const processors = createProcessors({ store, logger, marketSyncUrl: config.MARKET_SYNC_URL, config });
  const schedules = schedulesFrom(config);
  if (config.REDIS_URL) {
    const runner = await BullJobRunner.connect({
      redisUrl: config.REDIS_URL,
      prefix: config.SIBYL_QUEUE_PREFIX,
      logger,
    });
    if (role !== 'producer') {
      runner.startWorkers(processors);
      await runner.schedule(schedules);
    }
    return runner;
  }
  if (role === 'worker')
    throw new RunnerConfigError('REDIS_URL is not set: `sibyl worker` runs BullMQ workers and needs Redis');
  const runner = new InProcessJobRunner(processors, logger);
  if (role === 'all-in-one') runner.schedule(schedules);
  return runner;
}
