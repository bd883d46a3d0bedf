import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../src/log/logger.js';
import type { Processor } from '../processors.js';
import {
  BACKOFF_BASE_MS,
  JOBS,
  type JobName,
  type JobPayload,
  type JobRunner,
  type JobStatus,
  type TriggerResult,
} from '../job-types.js';
import { nextRun, type Schedule } from '../schedules.js';
import { triggerKey } from './trigger-key.js';

const MAX_REMEMBERED = 1_000;

/**
 * Runs jobs inside this process, for the demo and single-process setups without Redis: the same
 * processors, retries with exponential backoff, deduplication of identical pending jobs (same name
 * and payload: triggerKey), one job at a time per queue, and cron schedules. Nothing survives a
 * restart; production uses BullMQ.
 */
export class InProcessJobRunner implements JobRunner {
  readonly kind = 'in-process' as const;
  private readonly jobs = new Map<string, JobStatus>();
  /** Each triggerKey's latest job, until it finishes: only a trigger with the same key joins it. */
  private readonly byKey = new Map<string, JobStatus>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly processors: Record<JobName, Processor>,
    private readonly logger: Logger,
    private readonly backoffBaseMs = BACKOFF_BASE_MS,
  ) {}

  async trigger<N extends JobName>(name: N, data?: JobPayload<N>): Promise<TriggerResult> {
    const key = triggerKey(name, data);
    const pending = this.byKey.get(key);
    if (pending && (pending.state === 'waiting' || pending.state === 'active'))
      return { id: pending.id, name, deduplicated: true };
    const status: JobStatus = {
      id: randomUUID(),
      name,
      state: 'waiting',
      progress: 0,
      attemptsMade: 0,
      createdAt: new Date(),
    };
    this.remember(status);
    this.byKey.set(key, status);
    const queue = JOBS[name].queue;
    const run = (this.tails.get(queue) ?? Promise.resolve())
      .then(() => this.run(status, data ?? {}))
      .finally(() => {
        if (this.byKey.get(key) === status) this.byKey.delete(key);
      });
    this.tails.set(queue, run);
    return { id: status.id, name, deduplicated: false };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    return this.jobs.get(id);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('job runner is closed');
  }

  /** Starts cron schedules; each tick triggers its job (deduplicated if one is still pending). */
  schedule(schedules: Schedule[]): void {
    for (const s of schedules) {
      const arm = () => {
        if (this.closed) return;
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            this.trigger(s.job).catch((err: unknown) =>
              this.logger.error({ err, job: s.job }, 'scheduled trigger failed'),
            );
            arm();
          },
          Math.max(0, nextRun(s.pattern).getTime() - Date.now()),
        );
        timer.unref();
        this.timers.add(timer);
      };
      arm();
    }
  }

  /** Waits for queued jobs to finish (scheduled ones stop). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled(this.tails.values());
  }

  private async run(status: JobStatus, data: unknown): Promise<void> {
    const name = status.name as JobName;
    const attempts = JOBS[name].attempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      status.state = 'active';
      status.attemptsMade = attempt;
      try {
        status.result = await this.processors[name]({
          id: status.id,
          name,
          data,
          attempt,
          progress: async (done, stage) => {
            status.progress = { done, stage };
          },
        });
        status.state = 'completed';
        status.finishedAt = new Date();
        return;
      } catch (err) {
        status.error = err instanceof Error ? err.message : String(err);
        const final = err instanceof UnrecoverableError || attempt === attempts || this.closed;
        this.logger.error({ err, job: name, jobId: status.id, attempt, final }, 'job failed');
        if (final) {
          status.state = 'failed';
          status.finishedAt = new Date();
          return;
        }
        status.state = 'delayed';
        await sleep(this.backoffBaseMs * 2 ** (attempt - 1));
      }
    }
  }

  private remember(status: JobStatus): void {
    this.jobs.set(status.id, status);
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= MAX_REMEMBERED) break;
      if (job.state === 'completed' || job.state === 'failed') this.jobs.delete(id);
    }
  }
}
