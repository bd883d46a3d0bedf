import type { Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import type { PersistentRecommender, Recommender } from '../../models/core/types.js';
import { loadTrainingData } from '../../models/data/from-store.js';
import { temporalSplit, type EvalSplit } from '../../models/eval/split.js';
import type { ModelRegistry } from '../../models/registry/registry.js';
import { UnrecoverableError } from 'bullmq';
import { DEFAULT_PIPELINE_SETTINGS, type ModelPipelineSettings } from './settings.js';

export interface ModelPipelineDeps {
  store: Store;
  registry: ModelRegistry;
  logger: Logger;
  settings?: Partial<ModelPipelineSettings>;
  now?: () => Date;
  /** The baselines evaluated next to every candidate, fresh and unfitted. @defaultValue models/eval/recommenders.ts */
  baselines?: () => Recommender[];
}

/** Where a step finds its model: a version, else the chain's model, else the newest candidate. */
export interface ModelRef {
  version?: string;
  chainId?: string;
}

export type Progress = (fraction: number, stage: string) => void;

/** A split and fitted model kept between the steps of a chain running in one process. */
interface Cached {
  version: string;
  split: EvalSplit;
  model: PersistentRecommender;
}

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What the steps share: dependencies, settings, the clock and the split kept between steps. */
export class PipelineContext {
  readonly settings: ModelPipelineSettings;
  readonly now: () => Date;
  cached?: Cached;

  constructor(readonly deps: ModelPipelineDeps) {
    this.settings = { ...DEFAULT_PIPELINE_SETTINGS, ...deps.settings };
    this.now = deps.now ?? (() => new Date());
  }

  get registry(): ModelRegistry {
    return this.deps.registry;
  }

  async loadSplit(window: { from: Date; to: Date }, testFraction: number): Promise<EvalSplit> {
    const data = await loadTrainingData(this.deps.store, window);
    return temporalSplit(data.log, { testFraction, content: data.content });
  }

  /** The candidate fitted on its split: kept from training in this process, else reloaded and bound. */
  async candidateOnSplit(
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

  async resolve(ref: ModelRef): Promise<ModelDoc> {
    if (ref.version) {
      const doc = await this.deps.registry.get(ref.version);
      if (!doc) throw new UnrecoverableError(`no model version "${ref.version}"`);
      return doc;
    }
    if (ref.chainId) {
      const doc = await this.deps.registry.latestOfChain(ref.chainId, { orFailed: true });
      if (!doc) throw new UnrecoverableError(`no model trained by chain "${ref.chainId}"`);
      return doc;
    }
    const doc = await this.deps.registry.latestCandidate();
    if (!doc) throw new UnrecoverableError('no candidate model: run train first');
    return doc;
  }
}
