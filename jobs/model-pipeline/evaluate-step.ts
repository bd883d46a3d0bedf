import { coll } from '../../src/store/collections.js';
import type { Metrics, ModelDoc, ModelStatus } from '../../src/domain/model-doc.js';
import type { PipelineContext, ModelRef, Progress } from './context.js';
import { cutoffOf } from './settings.js';
import { errorMessage } from './context.js';
import { fitAndEvaluate, type Contender } from '../../models/eval/fit-and-evaluate.js';
import { RECOMMENDER_LIST } from '../../models/eval/recommenders.js';
import { hasKind } from '../../models/kinds.js';
import type { Recommender } from '../../models/core/types.js';

/** Every recommender of models/eval/recommenders.ts except registry kinds (those are candidates, not baselines). */
function defaultBaselines(): Recommender[] {
  return RECOMMENDER_LIST.filter((r) => !hasKind(r.name)).map((r) => r.create());
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

/**
 * Evaluates the candidate, the active model (loaded from its artifact and bound to the split)
 * and every baseline on the candidate's split, and stores the metrics with the candidate.
 */
export async function evaluateCandidate(
  ctx: PipelineContext,
  ref: ModelRef,
  onProgress?: Progress,
  options: { force?: boolean } = {},
): Promise<EvaluateResult> {
  const doc = await ctx.resolve(ref);
  const stored = (reused: boolean): EvaluateResult => ({
    version: doc.version,
    status: doc.status,
    reused,
    ...(doc.metrics ? { metrics: doc.metrics } : {}),
    ...(doc.comparedWith ? { comparedWith: doc.comparedWith } : {}),
    ...(doc.split ? { split: doc.split } : {}),
  });
  if (doc.status !== 'candidate') return stored(true);
  const active = await ctx.deps.registry.activeModel();
  if (!options.force && doc.metrics && doc.comparedWith?.version === active?.version) return stored(true);

  const report = (fraction: number, stage: string) => onProgress?.(fraction, stage);
  const log = ctx.deps.logger.child({ version: doc.version });
  const { split, model } = await ctx.candidateOnSplit(doc, report);
  const contenders: Contender[] = [{ name: 'candidate', recommender: model, fitted: {} }];
  let comparedWith: ModelDoc['comparedWith'];
  if (active && active.version !== doc.version) {
    try {
      const activeModel = await ctx.deps.registry.loadModel(active.version);
      activeModel.bind(split.train);
      contenders.push({ name: 'active', recommender: activeModel, fitted: {} });
      comparedWith = { version: active.version };
    } catch (err) {
      log.warn({ err, active: active.version }, 'could not evaluate the active model');
      comparedWith = { version: active.version, error: errorMessage(err) };
    }
  }
  const baselines = ctx.deps.baselines?.() ?? defaultBaselines();
  contenders.push(...baselines.map((rec) => ({ name: rec.name, recommender: rec })));
  const results = await fitAndEvaluate(contenders, split, {
    k: cutoffOf(ctx.settings.gate.metric),
    seed: doc.seed,
    onProgress: (f, name, stage) => report(f, `${stage === 'evaluate' ? 'evaluating' : 'fitting'} ${name}`),
  });
  const metrics: Record<string, Metrics> = {};
  for (const [name, { metrics: m, trainSeconds }] of results)
    // Baselines are fitted here and report their fit time; the candidate's is on its document.
    metrics[name] = trainSeconds !== undefined ? { ...m, train_seconds: trainSeconds } : m;
  const evaluatedAt = ctx.now();
  await coll(ctx.deps.store, 'models').updateOne(
    { version: doc.version },
    comparedWith
      ? { $set: { metrics, evaluatedAt, split: { ...split.info }, comparedWith } }
      : { $set: { metrics, evaluatedAt, split: { ...split.info } }, $unset: { comparedWith: '' } },
  );
  await ctx.deps.registry.writeManifestMetrics(doc.version, metrics);
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
