import { z } from 'zod';
import { getKind, UnknownKindError } from '../models/kinds.js';

/** The longest training window a payload may ask for. */
export const MAX_WINDOW_DAYS = 3650;

/**
 * A train payload that names a kind names a registered one, with hyperparameters it accepts, so that
 * a trigger that can only fail is refused at the API rather than queued. (Without a kind the
 * worker's configured one is used, which the API cannot know: its hyperparameters are checked there.)
 */
function checkKindAndHyperparameters(
  payload: { kind?: string; hyperparameters?: Record<string, unknown> },
  ctx: z.RefinementCtx,
): void {
  if (payload.kind === undefined) return;
  let kind;
  try {
    kind = getKind(payload.kind);
  } catch (err) {
    if (!(err instanceof UnknownKindError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['kind'], message: err.message });
    return;
  }
  try {
    kind.create(payload.hyperparameters);
  } catch (err) {
    const why =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    ctx.addIssue({
      code: 'custom',
      path: ['hyperparameters'],
      message: `not accepted by ${kind.kind}: ${why}`,
    });
  }
}

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
    payload: z
      .strictObject({
        /** Steps of one chain share it; a retried train of the same chain reuses its candidate. */
        chainId: z.string().min(1).max(200).optional(),
        kind: z.string().min(1).max(100).optional(),
        hyperparameters: z.record(z.string(), z.unknown()).optional(),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .optional(),
        /** Ten years at most: a window must end up as a real date. */
        windowDays: z.number().positive().max(MAX_WINDOW_DAYS).optional(),
        testFraction: z.number().gt(0).lt(1).optional(),
      })
      .superRefine(checkKindAndHyperparameters),
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
