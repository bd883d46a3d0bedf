import type {
  PersistentRecommender,
  Recommender,
  ServingModel,
  TrainSet,
} from '../../../models/core/types.js';
import { temporalSplit } from '../../../models/eval/split.js';
import { getKind } from '../../../models/kinds.js';
import { BLEND_TERMS, weightVector, type BlendWeights } from '../pipeline/rank-feed.js';
import type { BlendFit as StoredBlend } from '../../domain/model-doc.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import { RANKERS } from '../rankers/rankers.js';
import { ServedRankerRecommender } from './served-ranker.js';

/** A served ranker's learned blend, stored with the model version it was fitted for. */
export type BlendFit = StoredBlend & { weights: BlendWeights };

export interface BlendFitOptions {
  /** The model's hyperparameters (the validation model is the same kind, fewer epochs). */
  hyperparameters?: Record<string, unknown>;
  seed: number;
  /** Share of the training rows, the latest, the blend is fitted on. @defaultValue 0.15 */
  validationFraction?: number;
  /** @defaultValue 10 */
  k?: number;
  /**
   * Epochs of the validation model relative to the real one: a quarter keeps a retrain within 1.3×
   * of the model's fit, and learned blends as good as with half (measured, BENCHMARKS.md). @defaultValue 0.25
   */
  epochsFactor?: number;
  /** Fewer validation users than this: no fit (the hand weights serve). @defaultValue 30 */
  minUsers?: number;
  onProgress?: (fraction: number, stage: string) => void;
}

/** Candidate values per term; the model term is the fixed anchor of the scale (the diversity penalty is in score units). */
const GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5];
const SIGNED_GRID = [-1, -0.5, -0.2, ...GRID];
const ROUNDS = 3;
/** A change must gain at least this much nDCG on the slice: noise-level gains overfit. */
const MIN_GAIN = 1e-4;

/**
 * Learns a served ranker's score blend (model score, popularity, trend, freshness, closing soon,
 * affinities, neighbours, siblings) the way it will be used: the training window's latest rows are
 * a validation slice; a model of the same kind is fitted on the rows before it (for a quarter of
 * the epochs), the served pipeline proposes each validation user's candidates from what was known at
 * the slice's start, and coordinate ascent over a grid of weights maximises nDCG@k of the blend's
 * order against what the users engaged with during the slice (Metzler & Croft's linear feature
 * search: direct on the metric, a handful of parameters, no gradients). The returned weights serve
 * with the model fitted on the whole window. `undefined` when the slice is too small to learn from.
 */
export async function fitServedBlend(
  train: TrainSet,
  config: RankerConfig,
  options: BlendFitOptions,
): Promise<BlendFit | undefined> {
  const started = performance.now();
  const k = options.k ?? 10;
  const slice = temporalSplit(train.log, {
    testFraction: options.validationFraction ?? 0.15,
    ...(train.content ? { content: train.content } : {}),
  });
  if (slice.info.evaluatedUsers < (options.minUsers ?? 30)) return undefined;
  const report = (f: number, stage: string) => options.onProgress?.(f, stage);

  let serving: ServingModel | undefined;
  if (config.model) {
    const kind = getKind(config.model);
    if (!kind.serve) return undefined;
    const hp = { ...options.hyperparameters };
    const model: PersistentRecommender = kind.create(hp);
    const epochs = (model.hyperparameters as { epochs?: unknown }).epochs;
    const validationModel =
      typeof epochs === 'number'
        ? kind.create({ ...hp, epochs: Math.max(1, Math.round(epochs * (options.epochsFactor ?? 0.25))) })
        : model;
    await validationModel.fit(slice.train, {
      seed: options.seed,
      onProgress: (f, stage) => report(0.9 * f, `validation model: ${stage}`),
    });
    serving = await kind.serve('validation', validationModel, () => new Promise(setImmediate));
  }
  const ranker = new ServedRankerRecommender(config, { ...(serving ? { model: () => serving } : {}) });
  await ranker.fit(slice.train, { seed: options.seed });
  report(0.9, 'fitting the blend');

  const users = validationUsers(slice.test.user, slice.test.item).map(({ user, relevant }) => {
    const { candidates, items } = ranker.candidates(user);
    const hit = Uint8Array.from(items, (i) => (relevant.has(i) ? 1 : 0));
    return { terms: candidates.terms, hit, ideal: idealDcg(Math.min(relevant.size, k)) };
  });
  const ndcg = (w: Float64Array) => {
    let sum = 0;
    for (const u of users) sum += dcgAtK(u.terms, u.hit, w, k) / u.ideal;
    return sum / users.length;
  };

  const w = weightVector(config.weights);
  const ndcgHand = ndcg(w);
  let best = ndcgHand;
  const anchor = config.model && w[0]! > 0 ? 0 : -1;
  for (let round = 0; round < ROUNDS; round++) {
    let moved = false;
    for (let t = 0; t < BLEND_TERMS.length; t++) {
      if (t === anchor) continue;
      const kept = w[t]!;
      let bestValue = kept;
      for (const value of BLEND_TERMS[t] === 'trend' ? SIGNED_GRID : GRID) {
        if (value === kept) continue;
        w[t] = value;
        const score = ndcg(w);
        if (score > best + MIN_GAIN) {
          best = score;
          bestValue = value;
        }
      }
      w[t] = bestValue;
      if (bestValue !== kept) moved = true;
    }
    if (!moved) break;
  }
  report(1, 'blend fitted');
  const weights = Object.fromEntries(BLEND_TERMS.map((term, t) => [term, w[t]!])) as BlendWeights;
  const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    ranker: config.name,
    weights,
    validation: {
      from: new Date(slice.train.log.ts[0] ?? train.cutoffMs).toISOString(),
      to: new Date(train.cutoffMs).toISOString(),
      users: users.length,
      k,
      ndcgHand: round4(ndcgHand),
      ndcgFitted: round4(best),
    },
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

/** Each user's held-out items. */
function validationUsers(user: Int32Array, item: Int32Array): { user: number; relevant: Set<number> }[] {
  const byUser = new Map<number, Set<number>>();
  for (let r = 0; r < user.length; r++) {
    let set = byUser.get(user[r]!);
    if (!set) byUser.set(user[r]!, (set = new Set()));
    set.add(item[r]!);
  }
  return [...byUser].map(([u, relevant]) => ({ user: u, relevant }));
}

function idealDcg(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 1 / Math.log2(i + 2);
  return sum;
}

/** DCG@k of the candidates ordered by terms·w (ties: proposed first, as the pipeline's top-k). */
function dcgAtK(terms: Float64Array, hit: Uint8Array, w: Float64Array, k: number): number {
  const T = w.length;
  const n = hit.length;
  const topScore = new Float64Array(k).fill(-Infinity);
  const topHit = new Uint8Array(k);
  let filled = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0, o = j * T; t < T; t++) s += w[t]! * terms[o + t]!;
    if (filled === k && s <= topScore[k - 1]!) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && topScore[p - 1]! < s) {
      topScore[p] = topScore[p - 1]!;
      topHit[p] = topHit[p - 1]!;
      p--;
    }
    topScore[p] = s;
    topHit[p] = hit[j]!;
  }
  let dcg = 0;
  for (let p = 0; p < filled; p++) if (topHit[p]) dcg += 1 / Math.log2(p + 2);
  return dcg;
}

/**
 * Learned blends of the model-based served rankers (all, or those named) whose model kind is among
 * `fitted`: what a retrain stores with the model version and what `sibyl eval` serves with.
 */
export async function fitServedBlends(
  train: TrainSet,
  fitted: Iterable<Recommender>,
  options: Omit<BlendFitOptions, 'hyperparameters'> & { rankers?: readonly string[] },
): Promise<Map<string, BlendFit>> {
  const byKind = new Map<string, PersistentRecommender>();
  for (const rec of fitted) {
    const kind = (rec as Partial<PersistentRecommender>).kind;
    if (kind !== undefined && !byKind.has(kind)) byKind.set(kind, rec as PersistentRecommender);
  }
  const out = new Map<string, BlendFit>();
  for (const config of RANKERS.values()) {
    if (!config.model || (options.rankers && !options.rankers.includes(config.name))) continue;
    const model = byKind.get(config.model);
    if (!model) continue;
    const fit = await fitServedBlend(train, config, { ...options, hyperparameters: model.hyperparameters });
    if (fit) out.set(config.name, fit);
  }
  return out;
}
