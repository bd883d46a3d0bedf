import { UnrecoverableError } from 'bullmq';
import { CONFIG_DEFAULTS, type Config } from '../src/config/env.js';
import { SibylError } from '../src/errors.js';
import type { Logger } from '../src/log/logger.js';
import { coll } from '../src/store/collections.js';
import type { Store } from '../src/store/types.js';
import type { PersistentRecommender, Recommender } from '../models/core/types.js';
import { loadTrainingData } from '../models/data/from-store.js';
import { evaluateRecommender } from '../models/eval/evaluate.js';
import { temporalSplit, type EvalSplit } from '../models/eval/split.js';
import { RANKER_LIST } from '../models/eval/rankers.js';
import { DEFAULT_KIND, getKind, hasKind, UnknownKindError } from '../models/kinds.js';
import { DEFAULT_GATE, decidePromotion, type GateConfig } from '../models/registry/gate.js';
import { modelRegistryFromConfig } from '../models/registry/index.js';
import type { GateResult, Metrics, ModelDoc, ModelStatus } from '../src/domain/model-doc.js';
import { newVersion, type ModelRegistry } from '../models/registry/registry.js';

const DAY_MS = 86_400_000;

export interface ModelPipelineSettings {
  /** Days of interactions a training run uses (MODEL_TRAIN_WINDOW_DAYS). */
  windowDays: number;
  /** Share of the window held out for evaluation (MODEL_TEST_FRACTION). */
  testFraction: number;
  /** The promotion rule (MODEL_PROMOTION_METRIC, MODEL_PROMOTION_MARGIN). */
  gate: GateConfig;
  /** Kind trained when a run names none. */
  kind: string;
  seed: number;
}

export const DEFAULT_PIPELINE_SETTINGS: ModelPipelineSettings = {
  windowDays: CONFIG_DEFAULTS.MODEL_TRAIN_WINDOW_DAYS,
  testFraction: CONFIG_DEFAULTS.MODEL_TEST_FRACTION,
  gate: DEFAULT_GATE,
  kind: DEFAULT_KIND,
  seed: 42,
};

export function pipelineSettingsFrom(config: Config): ModelPipelineSettings {
  return {
    ...DEFAULT_PIPELINE_SETTINGS,
    windowDays: config.MODEL_TRAIN_WINDOW_DAYS,
    testFraction: config.MODEL_TEST_FRACTION,
    gate: {
      ...DEFAULT_GATE,
      metric: config.MODEL_PROMOTION_METRIC,
      margin: config.MODEL_PROMOTION_MARGIN,
    },
  };
}

export interface ModelPipelineDeps {
  store: Store;
  registry: ModelRegistry;
  logger: Logger;
  settings?: Partial<ModelPipelineSettings>;
  now?: () => Date;
  /** The baselines evaluated next to every candidate, fresh and unfitted. @defaultValue models/eval/rankers.ts */
  baselines?: () => Recommender[];
}

/** Where a step finds its model: a version, else the chain's model, else the newest candidate. */
export interface ModelRef {
  version?: string;
  chainId?: string;
}

export interface TrainRequest {
  /** Ties the steps of one run together; a retried train of the same chain reuses its candidate. */
  chainId: string;
  kind?: string;
  hyperparameters?: Record<string, unknown>;
  seed?: number;
  windowDays?: number;
  testFraction?: number;
}

export type Progress = (fraction: number, stage: string) => void;

export interface TrainResult {
  version: string;
  kind: string;
  status: ModelStatus;
  /** True when an earlier attempt of the same chain had already trained it. */
  reused: boolean;
  dataWindow: { from: Date; to: Date };
  split?: Record<string, unknown>;
  trainSeconds?: number;
}

export interface EvaluateResult {
  version: string;
  status: ModelStatus;
  /** True when the stored evaluation was still valid (same active model) and was kept. */
  reused: boolean;
  metrics?: Record<string, Metrics>;
  comparedWith?: ModelDoc['comparedWith'];
  split?: Record<string, unknown>;
}

export interface PromoteResult {
  version: string;
  status: ModelStatus;
  decision: GateResult['decision'];
  reason: string;
  /** Absent when an operator decided (promoted the candidate by hand) before the gate ran. */
  gate?: GateResult;
  /** True when the decision had been taken before this call. */
  reused: boolean;
}

/** A split and fitted model kept between the steps of a chain running in one process. */
interface Cached {
  version: string;
  split: EvalSplit;
  model: PersistentRecommender;
}

/** `ndcg@20` → 20; metrics without a cut-off evaluate at 10. */
function cutoffOf(metric: string): number {
  const at = /@(\d+)$/.exec(metric);
  return at ? Number(at[1]) : 10;
}

/** The conflict registry.promote reports when the active model is not the one the gate compared with. */
const isActiveChange = (details: unknown) =>
  typeof details === 'object' && details !== null && 'expected' in details;

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Train → evaluate → promote, shared by the jobs (jobs/processors.ts) and `sibyl train`. Each step
 * is idempotent: a retried train of the same chain reuses the candidate it already saved, a retried
 * evaluate keeps a still-valid evaluation, a retried promote keeps the decision taken.
 */
export class ModelPipeline {
  readonly settings: ModelPipelineSettings;
  private readonly now: () => Date;
  private cached?: Cached;

  constructor(private readonly deps: ModelPipelineDeps) {
    this.settings = { ...DEFAULT_PIPELINE_SETTINGS, ...deps.settings };
    this.now = deps.now ?? (() => new Date());
  }

  get registry(): ModelRegistry {
    return this.deps.registry;
  }

  /**
   * Fits a candidate on the training part of a temporal split of the last `windowDays` of
   * interactions and saves it. A failure is recorded as a `failed` model (and rethrown); the
   * active model is not touched.
   */
  async train(request: TrainRequest, onProgress?: Progress): Promise<TrainResult> {
    const models = coll(this.deps.store, 'models');
    const existing = await models.findOne(
      { chainId: request.chainId, status: { $ne: 'failed' } },
      { sort: { createdAt: -1 } },
    );
    if (existing) {
      return {
        version: existing.version,
        kind: existing.kind,
        status: existing.status,
        reused: true,
        dataWindow: existing.dataWindow,
        ...(existing.split ? { split: existing.split } : {}),
        ...(existing.trainSeconds !== undefined ? { trainSeconds: existing.trainSeconds } : {}),
      };
    }
    const kindName = request.kind ?? this.settings.kind;
    let kind;
    try {
      kind = getKind(kindName);
    } catch (err) {
      if (err instanceof UnknownKindError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const createdAt = this.now();
    const version = newVersion(kindName, createdAt);
    const windowDays = request.windowDays ?? this.settings.windowDays;
    const testFraction = request.testFraction ?? this.settings.testFraction;
    const seed = request.seed ?? this.settings.seed;
    const dataWindow = { from: new Date(createdAt.getTime() - windowDays * DAY_MS), to: createdAt };
    const log = this.deps.logger.child({ version, chainId: request.chainId });
    const report = (fraction: number, stage: string) => onProgress?.(fraction, stage);
    let model: PersistentRecommender | undefined;
    try {
      try {
        model = kind.create(request.hyperparameters);
      } catch (err) {
        throw new UnrecoverableError(`bad hyperparameters for ${kindName}: ${errorMessage(err)}`);
      }
      report(0, 'loading interactions');
      const split = await this.loadSplit(dataWindow, testFraction);
      log.info({ split: split.info }, 'training candidate');
      report(0.05, 'fitting');
      const started = Date.now();
      await model.fit(split.train, {
        seed,
        onProgress: (fraction, stage) => report(0.05 + 0.9 * fraction, `fitting: ${stage}`),
      });
      const trainSeconds = (Date.now() - started) / 1000;
      report(0.95, 'saving artifact');
      const doc = await this.deps.registry.createCandidate({
        version,
        kind: kindName,
        model,
        dataWindow,
        seed,
        testFraction,
        split: { ...split.info },
        chainId: request.chainId,
        createdAt,
        trainSeconds,
      });
      this.cached = { version, split, model };
      report(1, 'trained');
      log.info({ trainSeconds }, 'candidate saved');
      return {
        version,
        kind: kindName,
        status: doc.status,
        reused: false,
        dataWindow,
        split: { ...split.info },
        trainSeconds,
      };
    } catch (err) {
      log.error({ err }, 'training failed');
      await this.deps.registry.recordFailure({
        version,
        kind: kindName,
        dataWindow,
        seed,
        hyperparameters: { ...(model?.hyperparameters ?? request.hyperparameters) },
        testFraction,
        chainId: request.chainId,
        createdAt,
        error: errorMessage(err),
      });
      // Nothing to learn from is not worth retrying.
      if (err instanceof RangeError && /no interactions/.test(err.message)) {
        throw new UnrecoverableError(`training failed: ${err.message}`);
      }
      throw err;
    }
  }

  /**
   * Evaluates the candidate, the active model (loaded from its artifact and bound to the split)
   * and every baseline on the candidate's split, and stores the metrics with the candidate.
   */
  async evaluate(
    ref: ModelRef,
    onProgress?: Progress,
    options: { force?: boolean } = {},
  ): Promise<EvaluateResult> {
    const doc = await this.resolve(ref);
    const stored = (reused: boolean): EvaluateResult => ({
      version: doc.version,
      status: doc.status,
      reused,
      ...(doc.metrics ? { metrics: doc.metrics } : {}),
      ...(doc.comparedWith ? { comparedWith: doc.comparedWith } : {}),
      ...(doc.split ? { split: doc.split } : {}),
    });
    if (doc.status !== 'candidate') return stored(true);
    const active = await this.deps.registry.activeModel();
    if (!options.force && doc.metrics && doc.comparedWith?.version === active?.version) return stored(true);

    const report = (fraction: number, stage: string) => onProgress?.(fraction, stage);
    const log = this.deps.logger.child({ version: doc.version });
    const { split, model } = await this.candidateOnSplit(doc, report);
    const k = cutoffOf(this.settings.gate.metric);
    const metrics: Record<string, Metrics> = {};
    const rankers = this.baselines();
    const steps = 2 + rankers.length;
    let step = 0;
    const evaluate = async (name: string, rec: Recommender) => {
      const base = step++ / steps;
      const result = await evaluateRecommender(rec, split, {
        k,
        onProgress: (f) => report(base + f / steps, `evaluating ${name}`),
      });
      return result.metrics;
    };

    metrics.candidate = await evaluate('candidate', model);
    let comparedWith: ModelDoc['comparedWith'];
    if (active && active.version !== doc.version) {
      try {
        const activeModel = await this.deps.registry.loadModel(active.version);
        activeModel.bind(split.train);
        metrics.active = await evaluate(`active ${active.version}`, activeModel);
        comparedWith = { version: active.version };
      } catch (err) {
        log.warn({ err, active: active.version }, 'could not evaluate the active model');
        comparedWith = { version: active.version, error: errorMessage(err) };
      }
    } else {
      step++;
    }
    for (const rec of rankers) {
      const started = Date.now();
      await rec.fit(split.train, { seed: doc.seed });
      const trainSeconds = (Date.now() - started) / 1000;
      metrics[rec.name] = { ...(await evaluate(rec.name, rec)), train_seconds: trainSeconds };
    }
    const evaluatedAt = this.now();
    await coll(this.deps.store, 'models').updateOne(
      { version: doc.version },
      comparedWith
        ? { $set: { metrics, evaluatedAt, split: { ...split.info }, comparedWith } }
        : { $set: { metrics, evaluatedAt, split: { ...split.info } }, $unset: { comparedWith: '' } },
    );
    await this.deps.registry.writeManifestMetrics(doc.version, metrics);
    report(1, 'evaluated');
    log.info({ metrics: metrics.candidate, comparedWith }, 'candidate evaluated');
    return {
      version: doc.version,
      status: doc.status,
      reused: false,
      metrics,
      ...(comparedWith ? { comparedWith } : {}),
      split: { ...split.info },
    };
  }

  /**
   * Applies the promotion gate to an evaluated candidate: promotes it (publishing the change) or
   * rejects it with the reason. A failed model is rejected and stays `failed`. If the active
   * model changed since the evaluation, the candidate is evaluated again first.
   */
  async promote(ref: ModelRef, onProgress?: Progress): Promise<PromoteResult> {
    try {
      for (let round = 0; ; round++) {
        const doc = await this.resolve(ref);
        // Decided already: by an earlier attempt, or by an operator (promoted or rolled back by hand).
        if (doc.status !== 'candidate' && (doc.gate || doc.status !== 'failed'))
          return this.decided(doc, true);
        if (doc.status === 'failed') {
          const gate = decidePromotion(
            { candidateError: doc.error ?? 'training failed', baselines: {} },
            this.settings.gate,
          );
          await this.deps.registry.update(doc.version, { gate, decidedAt: this.now() });
          return this.decided({ ...doc, gate }, false);
        }
        if (!doc.metrics?.candidate) {
          throw new UnrecoverableError(`model ${doc.version} has not been evaluated: run evaluate first`);
        }
        const active = await this.deps.registry.activeModel();
        if (active?.version !== doc.comparedWith?.version) {
          if (round >= 2) throw new Error('the active model keeps changing; try again later');
          await this.evaluate({ version: doc.version }, onProgress, { force: true });
          continue;
        }
        const { candidate, active: activeMetrics, ...rest } = doc.metrics;
        const baselines = Object.fromEntries(Object.entries(rest));
        const gate = decidePromotion(
          {
            candidate,
            ...(doc.comparedWith
              ? {
                  active: {
                    version: doc.comparedWith.version,
                    ...(activeMetrics ? { metrics: activeMetrics } : {}),
                    ...(doc.comparedWith.error !== undefined ? { error: doc.comparedWith.error } : {}),
                  },
                }
              : {}),
            baselines,
          },
          this.settings.gate,
        );
        const decidedAt = this.now();
        if (gate.decision === 'reject') {
          const updated = await this.deps.registry.update(
            doc.version,
            { status: 'rejected', gate, decidedAt },
            { status: 'candidate' },
          );
          if (!updated) continue; // Promoted by hand meanwhile: report that.
          this.deps.logger.info({ version: doc.version, reason: gate.reason }, 'candidate rejected');
          return this.decided({ ...doc, status: 'rejected', gate }, false);
        }
        try {
          const promoted = await this.deps.registry.promote(doc.version, {
            reason: `gate: ${gate.reason}`,
            from: ['candidate'],
            ifActive: doc.comparedWith?.version ?? null,
            set: { gate, decidedAt },
          });
          this.deps.logger.info({ version: doc.version, reason: gate.reason }, 'candidate promoted');
          return this.decided(promoted, false);
        } catch (err) {
          // The active model changed between the check and the promotion: evaluate again.
          const raced = err instanceof SibylError && err.code === 'conflict' && isActiveChange(err.details);
          if (raced && round < 2) continue;
          throw err;
        }
      }
    } finally {
      this.cached = undefined;
    }
  }

  private decided(doc: ModelDoc, reused: boolean): PromoteResult {
    const gate = doc.gate;
    return {
      version: doc.version,
      status: doc.status,
      decision: gate?.decision ?? (doc.status === 'active' ? 'promote' : 'reject'),
      reason: gate?.reason ?? `${doc.status} outside the gate (${doc.promotionReason ?? 'by hand'})`,
      ...(gate ? { gate } : {}),
      reused,
    };
  }

  /** Every ranker of models/eval/rankers.ts except registry kinds (those are candidates, not baselines). */
  private baselines(): Recommender[] {
    if (this.deps.baselines) return this.deps.baselines();
    return RANKER_LIST.filter((r) => !hasKind(r.name)).map((r) => r.create());
  }

  private async loadSplit(window: { from: Date; to: Date }, testFraction: number): Promise<EvalSplit> {
    const data = await loadTrainingData(this.deps.store, window);
    return temporalSplit(data.log, { testFraction, content: data.content });
  }

  /** The candidate fitted on its split: kept from training in this process, else reloaded and bound. */
  private async candidateOnSplit(
    doc: ModelDoc,
    report: (fraction: number, stage: string) => void,
  ): Promise<{ split: EvalSplit; model: PersistentRecommender }> {
    if (this.cached?.version === doc.version) return this.cached;
    report(0, 'loading interactions');
    const split = await this.loadSplit(doc.dataWindow, doc.testFraction);
    const model = await this.deps.registry.loadModel(doc.version);
    model.bind(split.train);
    this.cached = { version: doc.version, split, model };
    return this.cached;
  }

  private async resolve(ref: ModelRef): Promise<ModelDoc> {
    if (ref.version) {
      const doc = await this.deps.registry.get(ref.version);
      if (!doc) throw new UnrecoverableError(`no model version "${ref.version}"`);
      return doc;
    }
    const models = coll(this.deps.store, 'models');
    if (ref.chainId) {
      const doc =
        (await models.findOne(
          { chainId: ref.chainId, status: { $ne: 'failed' } },
          { sort: { createdAt: -1 } },
        )) ?? (await models.findOne({ chainId: ref.chainId }, { sort: { createdAt: -1 } }));
      if (!doc) throw new UnrecoverableError(`no model trained by chain "${ref.chainId}"`);
      return doc;
    }
    const doc = await models.findOne({ status: 'candidate' }, { sort: { createdAt: -1 } });
    if (!doc) throw new UnrecoverableError('no candidate model: run train first');
    return doc;
  }
}

/** The pipeline as configured (SIBYL_MODELS_DIR, MODEL_*, REDIS_URL for change notifications). */
export function modelPipelineFromConfig(
  config: Config,
  store: Store,
  logger: Logger,
  options: { now?: () => Date } = {},
): ModelPipeline {
  return new ModelPipeline({
    store,
    logger,
    registry: modelRegistryFromConfig(config, store, logger),
    settings: pipelineSettingsFrom(config),
    ...(options.now ? { now: options.now } : {}),
  });
}
