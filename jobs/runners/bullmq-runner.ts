import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../src/log/logger.js';
import type { Processor } from '../processors.js';
import {
  BACKOFF_BASE_MS,
  JOBS,
  QUEUE_NAMES,
  isJobName,
  type JobName,
  type JobPayload,
  type JobRunner,
  type JobState,
  type JobStatus,
  type TriggerResult,
} from '../job-types.js';
import type { Schedule } from '../schedules.js';

export interface BullRunnerOptions {
  redisUrl: string;
  /** Redis key prefix; tests use a fresh one each. @defaultValue CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX */
  prefix?: string;
  logger: Logger;
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is retried after it. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. @defaultValue 30000 */
  stalledIntervalMs?: number;
  backoffBaseMs?: number;
}

/** Concurrency per queue, across all workers: feature runs must never interleave. */
const GLOBAL_CONCURRENCY: Record<string, number> = { features: 1, pipeline: 1, catalogue: 1, models: 1 };

function jobOptions(name: JobName, backoffBaseMs: number): JobsOptions {
  return {
    attempts: JOBS[name].attempts,
    backoff: { type: 'exponential', delay: backoffBaseMs },
    removeOnComplete: { age: 7 * 86_400, count: 1_000 },
    removeOnFail: { age: 30 * 86_400 },
  };
}

/**
 * BullMQ on Redis: one queue per JOBS[name].queue, triggers deduplicated by job name (a second
 * trigger while one is waiting or running joins it), workers that run the shared processors, and
 * cron job schedulers. Job ids are `<queue>:<bullmq id>`.
 */
export class BullJobRunner implements JobRunner {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly backoffBaseMs: number;

  private constructor(
    private readonly connection: Redis,
    private readonly options: BullRunnerOptions,
  ) {
    this.backoffBaseMs = options.backoffBaseMs ?? BACKOFF_BASE_MS;
    for (const name of QUEUE_NAMES) {
      this.queues.set(
        name,
        new Queue(name, { connection, prefix: options.prefix ?? CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX }),
      );
    }
  }

  static async connect(options: BullRunnerOptions): Promise<BullJobRunner> {
    // BullMQ needs maxRetriesPerRequest: null so blocking commands survive reconnects.
    const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    await connection.connect();
    const runner = new BullJobRunner(connection, options);
    for (const [queue, n] of Object.entries(GLOBAL_CONCURRENCY))
      await runner.queue(queue).setGlobalConcurrency(n);
    return runner;
  }

  async trigger<N extends JobName>(name: N, data?: JobPayload<N>): Promise<TriggerResult> {
    const queue = this.queue(JOBS[name].queue);
    // A fresh id per trigger: if BullMQ answers with another id, an identical job was pending and this joined it.
    const jobId = randomUUID();
    const job = await queue.add(name, data ?? {}, {
      ...jobOptions(name, this.backoffBaseMs),
      jobId,
      deduplication: { id: name },
    });
    return { id: `${queue.name}:${job.id}`, name, deduplicated: job.id !== jobId };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const [queueName, jobId] = splitId(id);
    const queue = queueName ? this.queues.get(queueName) : undefined;
    if (!queue || !jobId) return undefined;
    // State first: the job read after it is at least as new, so a "completed" job has its result.
    const state = await queue.getJobState(jobId);
    const job = await queue.getJob(jobId);
    if (!job) return undefined;
    return toStatus(id, job, state);
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  /** Starts a worker per queue running `processors`. */
  startWorkers(processors: Record<JobName, Processor>): void {
    for (const queueName of QUEUE_NAMES) {
      const worker = new Worker(
        queueName,
        async (job: Job) => {
          if (!isJobName(job.name)) throw new UnrecoverableError(`unknown job "${job.name}"`);
          return processors[job.name]({
            id: `${queueName}:${job.id}`,
            name: job.name,
            data: job.data,
            attempt: job.attemptsMade + 1,
            progress: (done, stage) => job.updateProgress({ done, stage }),
          });
        },
        {
          connection: this.connection.duplicate(),
          prefix: this.options.prefix ?? CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX,
          concurrency: 1,
          lockDuration: this.options.lockDurationMs ?? 30_000,
          stalledInterval: this.options.stalledIntervalMs ?? 30_000,
          maxStalledCount: 2,
        },
      );
      worker.on('failed', (job, err) =>
        this.options.logger.error(
          { err, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade },
          'job failed',
        ),
      );
      worker.on('error', (err) => this.options.logger.error({ err, queue: queueName }, 'worker error'));
      this.workers.push(worker);
    }
  }

  /** Creates or updates the job schedulers; idempotent across workers (schedulers are keyed by id). */
  async schedule(schedules: Schedule[]): Promise<void> {
    for (const s of schedules) {
      await this.queue(JOBS[s.job].queue).upsertJobScheduler(
        s.id,
        { pattern: s.pattern, tz: 'UTC' },
        { name: s.job, data: {}, opts: jobOptions(s.job, this.backoffBaseMs) },
      );
    }
  }

  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue "${name}"`);
    return queue;
  }

  /** Workers finish their current job, then everything disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

function splitId(id: string): [string | undefined, string | undefined] {
  const at = id.indexOf(':');
  return at < 0 ? [undefined, undefined] : [id.slice(0, at), id.slice(at + 1)];
}

function toStatus(id: string, job: Job, state: string): JobStatus {
  const known: JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed'];
  return {
    id,
    name: job.name,
    state: known.includes(state as JobState)
      ? (state as JobState)
      : state === 'prioritized' || state === 'waiting-children'
        ? 'waiting'
        : 'unknown',
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    ...(job.returnvalue !== undefined && job.returnvalue !== null ? { result: job.returnvalue } : {}),
    ...(job.failedReason ? { error: job.failedReason } : {}),
    createdAt: new Date(job.timestamp),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn) } : {}),
  };
}
