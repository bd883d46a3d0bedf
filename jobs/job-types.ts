import { z } from 'zod';

/**
 * Every background job: its queue, its payload schema and its retry policy. Jobs on one queue never
 * run concurrently (the features queue has a global concurrency of 1): an incremental refresh and a
 * full rebuild must not interleave their writes.
 */
export const JOBS = {
  'refresh-features': { queue: 'features', attempts: 5, payload: z.strictObject({}) },
  'rebuild-features': { queue: 'features', attempts: 3, payload: z.strictObject({}) },
  'sync-markets': { queue: 'catalogue', attempts: 3, payload: z.strictObject({}) },
  /** Fit a candidate model on a temporal split of the recent interactions and save it (jobs/model-pipeline/train-step.ts). */
  train: {
    queue: 'models',
    attempts: 2,
    payload: z.strictObject({
      /** Steps of one chain share it; a retried train of the same chain reuses its candidate. */
      chainId: z.string().min(1).optional(),
      kind: z.string().min(1).optional(),
      hyperparameters: z.record(z.string(), z.unknown()).optional(),
      seed: z.number().int().optional(),
      windowDays: z.number().positive().optional(),
      testFraction: z.number().gt(0).lt(1).optional(),
    }),
  },
  /** Evaluate a candidate, the active model and the baselines on the candidate's split. */
  evaluate: {
    queue: 'models',
    attempts: 2,
    payload: z.strictObject({
      chainId: z.string().min(1).optional(),
      version: z.string().min(1).optional(),
    }),
  },
  /** Apply the promotion gate to an evaluated candidate: promote it or reject it with the reason. */
  promote: {
    queue: 'models',
    attempts: 2,
    payload: z.strictObject({
      chainId: z.string().min(1).optional(),
      version: z.string().min(1).optional(),
    }),
  },
  /**
   * The daily reconciled report (src/reports): of `date` (YYYY-MM-DD in REPORT_TIMEZONE), else of the
   * last day that has ended and, restated if late events moved it, the day before.
   */
  'daily-report': {
    queue: 'reports',
    attempts: 3,
    payload: z.strictObject({
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
        .optional(),
    }),
  },
  /** The nightly chain (NIGHTLY_CHAIN), resumable step by step. */
  nightly: {
    queue: 'pipeline',
    attempts: 3,
    payload: z.strictObject({ chainId: z.string().min(1).optional() }),
  },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];
export const QUEUE_NAMES = [...new Set(Object.values(JOBS).map((j) => j.queue))];

/** Steps of the nightly chain, in order. The model steps find their candidate by the chain id. */
export const NIGHTLY_CHAIN: JobName[] = [
  'sync-markets',
  'rebuild-features',
  'train',
  'evaluate',
  'promote',
  'daily-report',
];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** Retry delays grow exponentially from this. */
export const BACKOFF_BASE_MS = 5_000;

/** What a processor sees of its job, whichever runner runs it. */
export interface JobContext {
  id: string;
  name: JobName;
  data: unknown;
  /** 1 for the first attempt. */
  attempt: number;
  progress(done: number, stage: string): Promise<void>;
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

export interface JobStatus {
  id: string;
  name: string;
  state: JobState;
  progress: unknown;
  attemptsMade: number;
  result?: unknown;
  error?: string;
  createdAt?: Date;
  finishedAt?: Date;
}

export interface TriggerResult {
  id: string;
  name: JobName;
  /** True when an identical job was already waiting or running: this trigger joined it. */
  deduplicated: boolean;
}

/**
 * Runs jobs: BullMQ on Redis, or in the worker's process without Redis (schedules only); the API
 * without Redis cannot hand jobs on (`none`). Same processors either way.
 */
export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process' | 'none';
  trigger<N extends JobName>(name: N, data?: JobPayload<N>): Promise<TriggerResult>;
  status(id: string): Promise<JobStatus | undefined>;
  /** Throws when the runner cannot take jobs (Redis down); a note when it serves degraded. */
  ping(): Promise<void | string>;
  close(): Promise<void>;
}
