import { randomUUID } from 'node:crypto';
import type { Store } from '../src/store/types.js';

export const JOB_RUNS = 'job_runs';

export interface JobRunDoc {
  _id: string;
  name: string;
  jobId: string;
  attempt: number;
  /** The chain run this step belongs to, for nightly steps. */
  chainId?: string;
  /** `abandoned`: the process running it died (a later attempt of the same job found it running). */
  status: 'running' | 'completed' | 'failed' | 'abandoned';
  startedAt: Date;
  endedAt?: Date;
  durationMs?: number;
  result?: unknown;
  error?: string;
}

/**
 * Runs `fn` and records the run in `job_runs` (start, end, outcome, result counts, error), so that
 * a data engineer can see every run of every job, including the ones that failed.
 */
export async function recordRun<R>(
  store: Store,
  run: { name: string; jobId: string; attempt: number; chainId?: string },
  fn: () => Promise<R>,
): Promise<R> {
  const runs = store.collection<JobRunDoc>(JOB_RUNS);
  const _id = randomUUID();
  const startedAt = new Date();
  // Jobs of a name never run concurrently, so an earlier attempt still "running" died with its worker.
  await runs.updateMany(
    { jobId: run.jobId, name: run.name, status: 'running' },
    { $set: { status: 'abandoned', endedAt: startedAt } },
  );
  await runs.insertMany([{ _id, ...run, status: 'running', startedAt }]);
  try {
    const result = await fn();
    const endedAt = new Date();
    await runs.updateOne(
      { _id },
      { $set: { status: 'completed', endedAt, durationMs: endedAt.getTime() - startedAt.getTime(), result } },
    );
    return result;
  } catch (err) {
    const endedAt = new Date();
    await runs.updateOne(
      { _id },
      {
        $set: {
          status: 'failed',
          endedAt,
          durationMs: endedAt.getTime() - startedAt.getTime(),
          error: err instanceof Error ? err.message : String(err),
        },
      },
    );
    throw err;
  }
}
