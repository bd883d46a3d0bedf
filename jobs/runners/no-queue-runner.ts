import { SibylError } from '../../src/errors.js';
import type { JobRunner, JobStatus, TriggerResult } from '../job-types.js';

const WHY =
  'REDIS_URL is not set, so there is no queue to hand jobs to a worker: `sibyl worker` runs the job ' +
  'schedules on its own, and triggering a job through the API needs Redis';

/**
 * The API's runner without Redis. The API never runs a job itself (a job would stall its requests),
 * so a trigger is refused with 503, saying why; readiness reports it as degraded, not down.
 */
export class NoQueueJobRunner implements JobRunner {
  readonly kind = 'none' as const;

  async trigger(): Promise<TriggerResult> {
    throw new SibylError('unavailable', `Jobs cannot be triggered: ${WHY}`);
  }

  async status(): Promise<JobStatus | undefined> {
    return undefined;
  }

  async ping(): Promise<string> {
    return `degraded: ${WHY}`;
  }

  async close(): Promise<void> {}
}
