import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { SibylError } from '../../src/errors.js';
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
import { triggerKey } from './trigger-key.js';

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
  /**
   * Whether `connect` waits for Redis (a worker has nothing to do without it) or returns at once
   * and connects in the background (an API replica serves feeds meanwhile and refuses triggers).
   * @defaultValue true
   */
  waitForRedis?: boolean;
  /** Longest wait between reconnection attempts. @defaultValue 10000 */
  maxRetryDelayMs?: number;
}

/** Concurrency per queue, across all workers: feature runs must never interleave. */
const GLOBAL_CONCURRENCY: Record<string, number> = { features: 1, pipeline: 1, catalogue: 1, models: 1 };

/** How long a trigger waits for Redis to take the job before answering 503. */
const TRIGGER_TIMEOUT_MS = 2_000;

function jobOptions(name: JobName, backoffBaseMs: number): JobsOptions {
  return {
    attempts: JOBS[name].attempts,
    backoff: { type: 'exponential', delay: backoffBaseMs },
    removeOnComplete: { age: 7 * 86_400, count: 1_000 },
    removeOnFail: { age: 30 * 86_400 },
  };
}

/** Capped exponential backoff between reconnection attempts: 250 ms, 500 ms, … up to `maxMs`. */
function quietRetry(maxMs = 10_000): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, 250 * 2 ** Math.min(attempt - 1, 16));
}

/** Where Redis is, without credentials (for logs and error messages). */
function redisAddress(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 6379}`;
}

/**
 * BullMQ on Redis: one queue per JOBS[name].queue, triggers deduplicated by job name (a second
 * trigger while one is waiting or running joins it), workers that run the shared processors, and
 * cron job schedulers. Job ids are `<queue>:<bullmq id>`.
 *
 * While Redis is unreachable the connection retries with capped exponential backoff, logging one
 * line per attempt; triggers and pings fail at once instead of queueing behind the reconnection,
 * and workers pick up where they were once it is back.
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
      const queue = new Queue(name, {
        connection,
        prefix: options.prefix ?? CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX,
      });
      queue.on('error', () => undefined); // the connection's retries are logged once, below
      this.queues.set(name, queue);
    }
  }

  static async connect(options: BullRunnerOptions): Promise<BullJobRunner> {
    const address = redisAddress(options.redisUrl);
    const maxDelay = options.maxRetryDelayMs ?? 10_000;
    let lastError = 'not connected';
    let down = false;
    // BullMQ needs maxRetriesPerRequest: null so blocking commands survive reconnects.
    const backoff = quietRetry(maxDelay);
    const connection = new Redis(options.redisUrl, {
      maxRetriesPerRequest: null,
      // Connecting from the start: BullMQ's queues then wait for 'ready' rather than fail on a first refusal.
      retryStrategy: (attempt) => {
        const delay = backoff(attempt);
        down = true;
        options.logger.warn(
          { redis: address, attempt, retryInMs: delay, error: lastError },
          'job queue: Redis unreachable, retrying',
        );
        return delay;
      },
    });
    connection.on('error', (err: Error & { code?: string }) => {
      lastError = err.code ?? err.message;
    });
    connection.on('ready', () => {
      if (down) options.logger.info({ redis: address }, 'job queue: Redis reachable again');
      down = false;
    });
    const ready = new Promise<void>((resolve) => connection.once('ready', () => resolve()));
    const runner = new BullJobRunner(connection, options);
    if (options.waitForRedis ?? true) {
      await ready;
      // A setting in Redis, for every worker; a producer that has not reached Redis leaves it to them.
      for (const [queue, n] of Object.entries(GLOBAL_CONCURRENCY))
        await runner.queue(queue).setGlobalConcurrency(n);
    }
    return runner;
  }

  /** Why the queue cannot take a job now, if it cannot: refused at once rather than queued behind a reconnection. */
  private unreachable(): string | undefined {
    const status = this.connection.status;
    return status === 'ready' ? undefined : `Redis at ${redisAddress(this.options.redisUrl)} is ${status}`;
  }

  async trigger<N extends JobName>(name: N, data?: JobPayload<N>): Promise<TriggerResult> {
    const queue = this.queue(JOBS[name].queue);
    // A fresh id per trigger: if BullMQ answers with another id, an identical job (triggerKey) was
    // pending and this joined it.
    const jobId = randomUUID();
    const down = this.unreachable();
    if (down)
      throw new SibylError(
        'unavailable',
        `The job queue is unreachable (${down}): nothing was queued; retry later`,
      );
    const job = await withTimeout(
      queue.add(name, data ?? {}, {
        ...jobOptions(name, this.backoffBaseMs),
        jobId,
        deduplication: { id: triggerKey(name, data) },
      }),
      TRIGGER_TIMEOUT_MS,
      () =>
        new SibylError(
          'unavailable',
          `The job queue did not answer within ${TRIGGER_TIMEOUT_MS} ms; the job may or may not be queued (a retry joins it)`,
        ),
    );
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
    const down = this.unreachable();
    if (down) throw new Error(down);
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
          // The same backoff without a log line: the runner's own connection reports the outage once.
          connection: this.connection.duplicate({ retryStrategy: quietRetry(this.options.maxRetryDelayMs) }),
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
      worker.on('error', (err) => {
        // While Redis is away every connection of every worker reports it; the outage is logged once, above.
        if (this.unreachable()) return;
        this.options.logger.error({ err, queue: queueName }, 'worker error');
      });
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

/** `promise`, or the error `onTimeout` makes once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
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
