import { randomUUID } from 'node:crypto';
import type { Store } from '../src/store/types.js';

/** A document of `job_runs`, which this module owns: every read and write of it goes through here. */
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

/** The completed run of `step` in chain `chainId`, if there is one (a retried chain resumes after it). */
export function completedStep(store: Store, chainId: string, step: string): Promise<JobRunDoc | null> {
  return store.collection<JobRunDoc>('job_runs').findOne({ chainId, name: step, status: 'completed' });
}

/** Per job and outcome: how many runs are recorded, and the latest one's duration and end. */
export interface RunSummary {
  name: string;
  status: JobRunDoc['status'];
  runs: number;
  lastDurationMs?: number;
  lastEndedAt?: Date;
}

/** Runs recorded (finished runs are kept as long as `job_runs` keeps them), by job and outcome. */
export async function summarizeRuns(store: Store): Promise<RunSummary[]> {
  const rows = await store
    .collection<JobRunDoc>('job_runs')
    .aggregate<{
      _id: { name: string; status: JobRunDoc['status'] };
      runs: number;
      lastDurationMs?: number | null;
      lastEndedAt?: Date | null;
    }>([
      { $sort: { startedAt: 1 } },
      {
        $group: {
          _id: { name: '$name', status: '$status' },
          runs: { $sum: 1 },
          lastDurationMs: { $last: '$durationMs' },
          lastEndedAt: { $last: '$endedAt' },
        },
      },
    ])
    .toArray();
  return rows.map((r) => ({
    name: r._id.name,
    status: r._id.status,
    runs: r.runs,
    ...(typeof r.lastDurationMs === 'number' ? { lastDurationMs: r.lastDurationMs } : {}),
    ...(r.lastEndedAt instanceof Date ? { lastEndedAt: r.lastEndedAt } : {}),
  }));
}

/** The latest runs, newest first, of one job or of all. */
export function recentRuns(store: Store, options: { name?: string; limit: number }): Promise<JobRunDoc[]> {
  return store
    .collection<JobRunDoc>('job_runs')
    .find(options.name ? { name: options.name } : {}, { sort: { startedAt: -1 }, limit: options.limit })
    .toArray();
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
  const runs = store.collection<JobRunDoc>('job_runs');
  const _id = randomUUID();
  const startedAt = new Date();
  // Jobs of a name never run concurrently, so an earlier attempt still "running" died with its worker.
  await runs.updateMany(
    { jobId: run.jobId, name: run.name, status: 'running' },
    { $set: { status: 'abandoned', endedAt: startedAt } },
  );
  await runs.insertOne({ _id, ...run, status: 'running', startedAt });
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
