import { UnrecoverableError } from 'bullmq';
import { loadConfig, type Config } from '../src/config/env.js';
import { refreshFeatures } from '../src/features/refresh.js';
import { writeMarketStatuses } from '../src/ingest/catalogue-writer.js';
import { pullCatalogue } from '../src/ingest/market-data/catalogue-pull.js';
import type { FeatureConfig } from '../src/features/feature-config.js';
import type { Logger } from '../src/log/logger.js';
import type { Store } from '../src/store/types.js';
import type { JobMetrics } from './job-metrics.js';
import { completedStep, recordRun } from './job-runs.js';
import { JOBS, NIGHTLY_CHAIN, type JobContext, type JobName, type JobPayload } from './job-types.js';
import { modelPipelineFromConfig, nightlyKinds, type ModelPipeline } from './model-pipeline/index.js';
import { dailyReport } from './daily-report.js';

export interface ProcessorDeps {
  store: Store;
  logger: Logger;
  /** Kalshi-compatible REST API the market sync pulls series, events and markets from, if any (MARKET_SYNC_URL). */
  marketSyncUrl?: string;
  now?: () => Date;
  featureConfig?: FeatureConfig;
  /** Model settings (SIBYL_MODELS_DIR, MODEL_*, REDIS_URL for model-change messages); defaults when absent. */
  config?: Config;
  /** Counts and times every attempt (the worker's /metrics); none when absent. */
  metrics?: JobMetrics;
  /** The train → evaluate → promote pipeline; built from `config` when absent. */
  models?: ModelPipeline;
}

export type Processor = (ctx: JobContext) => Promise<unknown>;

interface NightlyStep {
  step: JobName;
  /** The kind a model step trains, evaluates or promotes. */
  kind?: string;
}

/** The model steps, run kind by kind where the nightly chain lists `train`. */
const MODEL_STEPS: readonly JobName[] = ['train', 'evaluate', 'promote'];

/**
 * The nightly chain's steps in order, the model steps once per kind (`kinds`, in order):
 * sync-markets, rebuild-features, then train → evaluate → promote of each kind, then the report.
 * One chain rather than one per kind: the kinds share the features the chain rebuilt, never train at
 * once on the two shared cores, and the report follows all of them.
 */
export function nightlyPlan(kinds: readonly string[]): NightlyStep[] {
  return NIGHTLY_CHAIN.flatMap((step): NightlyStep[] => {
    if (step === 'train') return kinds.flatMap((kind) => MODEL_STEPS.map((s) => ({ step: s, kind })));
    return MODEL_STEPS.includes(step) ? [] : [{ step }];
  });
}

/**
 * The one set of job processors; both runners (BullMQ and in-process) call these. Each validates
 * its payload (bad input fails for good, never retried) and records its run in `job_runs`.
 */
export function createProcessors(deps: ProcessorDeps): Record<JobName, Processor> {
  const now = deps.now ?? (() => new Date());
  const models =
    deps.models ?? modelPipelineFromConfig(deps.config ?? loadConfig({}), deps.store, deps.logger, { now });
  // Progress is best effort: a report that cannot be written never fails the job.
  const progress = (ctx: JobContext) => (done: number, stage: string) => {
    ctx.progress(done, stage).catch(() => undefined);
  };
  const work: Record<JobName, (ctx: JobContext, chainId?: string) => Promise<unknown>> = {
    'refresh-features': (ctx) =>
      refreshFeatures(deps.store, {
        mode: 'incremental',
        now: now(),
        config: deps.featureConfig,
        onProgress: ctx.progress,
      }),
    'rebuild-features': (ctx) =>
      refreshFeatures(deps.store, {
        mode: 'full',
        now: now(),
        config: deps.featureConfig,
        onProgress: ctx.progress,
      }),
    'sync-markets': async () => ({
      ...(deps.marketSyncUrl
        ? {
            // Everything still live, and what closed in the last day (late results).
            pulled: await pullCatalogue(deps.store, deps.marketSyncUrl, {
              now: now(),
              minCloseTime: new Date(now().getTime() - 86_400_000),
            }),
          }
        : {}),
      ...(await writeMarketStatuses(deps.store, now())),
    }),
    // A step of a chain finds its model by the chain id; run alone, by the payload (else the newest candidate).
    train: (ctx, chainId) => {
      const data = ctx.data as JobPayload<'train'>;
      return models.train({ ...data, chainId: chainId ?? data.chainId ?? `job-${ctx.id}` }, progress(ctx));
    },
    evaluate: (ctx, chainId) => {
      const data = ctx.data as JobPayload<'evaluate'>;
      return models.evaluate({ ...data, chainId: chainId ?? data.chainId }, progress(ctx));
    },
    promote: (ctx, chainId) => {
      const data = ctx.data as JobPayload<'promote'>;
      return models.promote({ ...data, chainId: chainId ?? data.chainId }, progress(ctx));
    },
    'daily-report': (ctx) => dailyReport(deps, now(), (ctx.data as JobPayload<'daily-report'>).date),
    nightly: async (ctx) => {
      const data = ctx.data as { chainId?: string };
      const chainId = data.chainId ?? `nightly-${now().toISOString().slice(0, 10)}`;
      const primary = models.settings.kind;
      const plan = nightlyPlan(nightlyKinds(models.settings));
      const steps: Record<string, unknown> = {};
      const failedKinds = new Set<string>();
      for (const [i, { step, kind }] of plan.entries()) {
        // The primary kind's steps are the chain's own; another kind's run as the sub-chain `<chainId>:<kind>`.
        const other = kind !== undefined && kind !== primary;
        const stepChain = other ? `${chainId}:${kind}` : chainId;
        const key = other ? `${step}:${kind}` : step;
        if (kind !== undefined && failedKinds.has(kind)) {
          steps[key] = { skipped: `an earlier ${kind} step failed` };
          continue;
        }
        // A retried chain resumes after its last completed step.
        const done = await completedStep(deps.store, stepChain, step);
        if (done) {
          steps[key] = { skipped: 'completed earlier in this chain', runId: done._id };
          continue;
        }
        const stepCtx: JobContext = {
          ...ctx,
          name: step,
          data: step === 'train' && kind !== undefined ? { kind } : {},
          progress: (p, stage) => ctx.progress((i + p) / plan.length, `${key}: ${stage}`),
        };
        try {
          steps[key] = await recordRun(
            deps.store,
            { name: step, jobId: ctx.id, attempt: ctx.attempt, chainId: stepChain },
            () => work[step](stepCtx, stepChain),
          );
        } catch (err) {
          // Another kind's failure is its own (its active model keeps serving its arms): the chain
          // goes on. The primary kind's fails the chain, to be retried, as every other step's does.
          if (!other) throw err;
          failedKinds.add(kind);
          steps[key] = { error: err instanceof Error ? err.message : String(err) };
          deps.logger.warn({ err, chainId: stepChain, step, kind }, 'nightly: a model step failed');
        }
      }
      return { chainId, steps };
    },
  };
  return Object.fromEntries(
    (Object.keys(work) as JobName[]).map((name) => [
      name,
      async (ctx: JobContext) => {
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        try {
          const parsed = JOBS[name].payload.safeParse(ctx.data ?? {});
          if (!parsed.success) {
            throw new UnrecoverableError(
              `${name}: bad payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
            );
          }
          const result = await recordRun(deps.store, { name, jobId: ctx.id, attempt: ctx.attempt }, () =>
            work[name]({ ...ctx, data: parsed.data }),
          );
          deps.logger.info(
            { job: name, jobId: ctx.id, attempt: ctx.attempt, ms: Math.round(seconds() * 1000), result },
            'job completed',
          );
          deps.metrics?.observe(name, 'completed', seconds());
          return result;
        } catch (err) {
          const final = err instanceof UnrecoverableError || ctx.attempt >= JOBS[name].attempts;
          deps.metrics?.observe(name, final ? 'failed_final' : 'failed', seconds());
          throw err;
        }
      },
    ]),
  ) as Record<JobName, Processor>;
}
