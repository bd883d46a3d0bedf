import type { Config } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { modelRegistryFromConfig } from '../../models/registry/index.js';
import type { ModelRegistry } from '../../models/registry/registry.js';
import { PipelineContext, type ModelPipelineDeps, type ModelRef, type Progress } from './context.js';
import { evaluateCandidate, type EvaluateResult } from './evaluate-step.js';
import { promoteCandidate, type PromoteResult } from './promote-step.js';
import { pipelineSettingsFrom, type ModelPipelineSettings } from './settings.js';
import { trainCandidate, type TrainRequest, type TrainResult } from './train-step.js';

export type { ModelPipelineDeps, ModelRef, Progress } from './context.js';
export type { EvaluateResult } from './evaluate-step.js';
export type { PromoteResult } from './promote-step.js';
export type { TrainRequest, TrainResult } from './train-step.js';
export {
  DEFAULT_PIPELINE_SETTINGS,
  nightlyKinds,
  pipelineSettingsFrom,
  type ModelPipelineSettings,
} from './settings.js';

/**
 * Train → evaluate → promote (one file per step), shared by the jobs (jobs/processors.ts) and
 * `sibyl train`. Each step is idempotent: a retried train of the same chain reuses the candidate it
 * already saved, a retried evaluate keeps a still-valid evaluation, a retried promote keeps the
 * decision taken. Steps of one chain run in one process share the split and the fitted candidate.
 */
export class ModelPipeline {
  private readonly ctx: PipelineContext;

  constructor(deps: ModelPipelineDeps) {
    this.ctx = new PipelineContext(deps);
  }

  get settings(): ModelPipelineSettings {
    return this.ctx.settings;
  }

  get registry(): ModelRegistry {
    return this.ctx.registry;
  }

  train(request: TrainRequest, onProgress?: Progress): Promise<TrainResult> {
    return trainCandidate(this.ctx, request, onProgress);
  }

  evaluate(ref: ModelRef, onProgress?: Progress, options: { force?: boolean } = {}): Promise<EvaluateResult> {
    return evaluateCandidate(this.ctx, ref, onProgress, options);
  }

  promote(ref: ModelRef, onProgress?: Progress): Promise<PromoteResult> {
    return promoteCandidate(this.ctx, ref, onProgress);
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
