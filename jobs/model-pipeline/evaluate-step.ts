import type { GateComparisons, Metrics, ModelDoc, ModelStatus } from '../../src/domain/model-doc.js';
import type { PipelineContext, ModelRef, Progress } from './context.js';
import { cutoffOf } from './settings.js';
import { errorMessage } from './context.js';
import {
  fitAndEvaluate,
  pairedDifference,
  type Contender,
  type ContenderResult,
} from '../../models/eval/fit-and-evaluate.js';
import { RECOMMENDER_LIST } from '../../models/eval/recommenders.js';
import { servingModels } from '../../models/kinds.js';
import type { Recommender, ServingModel } from '../../models/core/types.js';
import { servedRankerContenders } from '../../src/feed/offline/served-ranker.js';
import type { BlendWeights } from '../../src/feed/pipeline/rank-feed.js';
import { getRanker, RANKERS, rankerOfKind, servesExperimentsOnly } from '../../src/feed/rankers/rankers.js';

/** The baselines of models/eval/recommenders.ts (EASE and BPR-MF included: kinds, and baselines too). */
function defaultBaselines(): Recommender[] {
  return RECOMMENDER_LIST.filter((r) => r.baseline).map((r) => r.create());
}

export interface EvaluateResult {
  version: string;
  status: ModelStatus;
  /** True when the stored evaluation was still valid (same active model) and was kept. */
  reused: boolean;
  metrics?: Record<string, Metrics>;
  comparisons?: GateComparisons;
  comparedWith?: ModelDoc['comparedWith'];
  split?: Record<string, unknown>;
}

/**
 * Evaluates the candidate, the active model of its kind (loaded from its artifact and bound to the
 * split) and every baseline on the candidate's split, and stores the metrics with the candidate.
 * A kind served to experiment arms only is judged against its active model alone (the `not-worse`
 * rule): its served ranker with the candidate and with the active model, and the bare models.
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
    ...(doc.comparisons ? { comparisons: doc.comparisons } : {}),
    ...(doc.comparedWith ? { comparedWith: doc.comparedWith } : {}),
    ...(doc.split ? { split: doc.split } : {}),
  });
  if (doc.status !== 'candidate') return stored(true);
  const active = await ctx.deps.registry.activeModel(doc.kind);
  if (!options.force && doc.metrics && doc.comparedWith?.version === active?.version) return stored(true);

  const report = (fraction: number, stage: string) => onProgress?.(fraction, stage);
  const log = ctx.deps.logger.child({ version: doc.version });
  const { split, model } = await ctx.candidateOnSplit(doc, report);
  const contenders: Contender[] = [{ name: 'candidate', recommender: model, fitted: {} }];
  const experimentOnly = servesExperimentsOnly(doc.kind);
  // Its own rankers only, for a kind judged against its active model alone.
  const rankers = experimentOnly
    ? [...RANKERS.values()].filter((c) => c.model === doc.kind).map((c) => c.name)
    : undefined;
  // What feeds serve: every served ranker through the feed's pipeline, the model-based ones with
  // the candidate (and its learned blend) and with the active model (and its own).
  const blendsOf = (d: ModelDoc | undefined) =>
    new Map(Object.entries(d?.blends ?? {}).map(([name, fit]) => [name, fit.weights as BlendWeights]));
  const served = (
    prefix: string,
    models: Map<string, ServingModel>,
    d: ModelDoc | undefined,
    modelOnly = false,
  ) =>
    servedRankerContenders(models, rankers, blendsOf(d))
      .filter((c) => !modelOnly || getRanker(c.name)?.model)
      .map((c) => ({ name: `${prefix}${c.name}`, recommender: c.recommender }));
  contenders.push(...served(SERVED, await servingModels([model], doc.version), doc));
  let comparedWith: ModelDoc['comparedWith'];
  if (active && active.version !== doc.version) {
    try {
      const activeModel = await ctx.deps.registry.loadModel(active.version);
      activeModel.bind(split.train);
      contenders.push({ name: 'active', recommender: activeModel, fitted: {} });
      contenders.push(
        ...served(SERVED_ACTIVE, await servingModels([activeModel], active.version), active, true),
      );
      comparedWith = { version: active.version };
    } catch (err) {
      log.warn({ err, active: active.version }, 'could not evaluate the active model');
      comparedWith = { version: active.version, error: errorMessage(err) };
    }
  }
  const baselines = experimentOnly ? [] : (ctx.deps.baselines?.() ?? defaultBaselines());
  contenders.push(...baselines.map((rec) => ({ name: rec.name, recommender: rec })));
  const { metric } = ctx.settings.gate;
  const results = await fitAndEvaluate(contenders, split, {
    k: cutoffOf(metric),
    seed: doc.seed,
    onProgress: (f, name, stage) => report(f, `${stage === 'evaluate' ? 'evaluating' : 'fitting'} ${name}`),
  });
  const metrics: Record<string, Metrics> = {};
  for (const [name, { metrics: m, trainSeconds }] of results)
    // Baselines are fitted here and report their fit time; the candidate's is on its document.
    metrics[name] = trainSeconds !== undefined ? { ...m, train_seconds: trainSeconds } : m;
  const comparisons = gateComparisons(results, metric, doc.seed, doc.kind);
  const evaluatedAt = ctx.now();
  await ctx.deps.registry.recordEvaluation(doc.version, {
    metrics,
    comparisons,
    evaluatedAt,
    split: { ...split.info },
    ...(comparedWith ? { comparedWith } : {}),
  });
  report(1, 'evaluated');
  log.info({ metrics: metrics[comparisons.subject], comparisons, comparedWith }, 'candidate evaluated');
  return {
    version: doc.version,
    status: doc.status,
    reused: false,
    metrics,
    comparisons,
    ...(comparedWith ? { comparedWith } : {}),
    split: { ...split.info },
  };
}

/** Metric lines of served rankers: `served:<ranker>` with the candidate, `served-active:<ranker>` with the active model. */
export const SERVED = 'served:';
export const SERVED_ACTIVE = 'served-active:';

/**
 * The lines the gate compares, and their paired bootstrap differences over the evaluated users:
 * the subject is the served ranker of the candidate's kind (the default ranker for the two-tower)
 * with the candidate, when it was evaluated (what users would see), else the bare candidate;
 * against the same line with the active model of the kind, and against the best baseline (offline
 * baselines and served rankers without a model), when any was evaluated.
 */
export function gateComparisons(
  results: ReadonlyMap<string, ContenderResult>,
  metric: string,
  seed: number,
  kind: string,
): GateComparisons {
  const ranker = rankerOfKind(kind);
  const servedSubject = ranker && `${SERVED}${ranker}`;
  const subject = servedSubject && results.has(servedSubject) ? servedSubject : 'candidate';
  // With the active model's kind not servable, feeds serve the fallback: a baseline here.
  const activeLine = subject === servedSubject ? `${SERVED_ACTIVE}${ranker}` : 'active';
  const ours = results.get(subject)!;
  let best: [string, ContenderResult] | undefined;
  for (const entry of results) {
    const value = entry[1].metrics[metric];
    if (!isBaselineLine(entry[0]) || value === undefined || !Number.isFinite(value)) continue;
    if (!best || value > best[1].metrics[metric]!) best = entry;
  }
  const activeResult = results.get(activeLine);
  const vsActive = activeResult && pairedDifference(ours, activeResult, metric, seed);
  const vsBaseline = best && pairedDifference(ours, best[1], metric, seed);
  return {
    metric,
    subject,
    users: ours.perUser[metric]?.length ?? 0,
    ...(vsActive ? { active: { line: activeLine, ...vsActive } } : {}),
    ...(vsBaseline && best ? { baseline: { line: best[0], ...vsBaseline } } : {}),
  };
}

/** Whether a metric line is a baseline for the gate: offline baselines and served rankers without a model. */
export function isBaselineLine(name: string): boolean {
  if (name === 'candidate' || name === 'active' || name.startsWith(SERVED_ACTIVE)) return false;
  return name.startsWith(SERVED) ? !getRanker(name.slice(SERVED.length))?.model : true;
}
