import type {
  PersistentRecommender,
  Recommender,
  ServingModel,
  TrainSet,
} from '../../../models/core/types.js';
import { idealDcg } from '../../../models/eval/metrics.js';
import { leaveLastOutSplit, temporalSplit, type EvalSplit } from '../../../models/eval/split.js';
import { fittedByKind, getKind, servingModels } from '../../../models/kinds.js';
import { BLEND_TERMS, servedOrder, weightVector, type BlendWeights } from '../pipeline/rank-feed.js';
import type { BlendFit as StoredBlend } from '../../domain/model-doc.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import { RANKERS } from '../rankers/rankers.js';
import { baggedAscent, userNdcgs, type AscentUser } from './coordinate-ascent.js';
import { bootstrapMean, type Interval } from '../../../models/eval/bootstrap.js';
import { selectRows } from '../../../models/data/interaction-log.js';
import { ServedRankerRecommender } from './served-ranker.js';

/** A served ranker's learned blend, stored with the model version it was fitted for. */
export type BlendFit = StoredBlend & { weights: BlendWeights };

export interface BlendFitOptions {
  /** The model's hyperparameters (the validation model is the same kind, fewer epochs). */
  hyperparameters?: Record<string, unknown>;
  seed: number;
  /** Share of the training rows, the latest, the validation folds cover. @defaultValue 0.15 */
  validationFraction?: number;
  /**
   * How long the blend will be judged (a temporal split's test period; testHorizonMs): validation
   * periods are then as long, instead of `validationFraction` (validationFolds). Which terms predict
   * depends on the horizon (what opened in the last day is a larger share of a day's engagement than
   * of a week's): on three simulated logs over seven cuts, a slice as long as the test period ranked
   * it better than a fixed 15% of rows (mean nDCG@10 0.131 against 0.114).
   */
  horizonMs?: number;
  /**
   * Validation folds: periods of `horizonMs` before the cut (@defaultValue 3), or rolling origins
   * over `validationFraction` without a horizon (@defaultValue 1).
   */
  folds?: number;
  /** @defaultValue 10 */
  k?: number;
  /**
   * Epochs of the validation model relative to the real one (two of the default eight). A weaker
   * model than the one served makes the blend lean on the other terms: with one epoch, the learned
   * blends ranked the test period at mean nDCG@10 0.127 on three simulated exchanges and 0.131 on
   * six ids-only logs of them; with two, 0.137 and 0.139 (eight: 0.133 and 0.148, at three times the
   * cost). Under leave-last-out, 1: the validation model is then fitted on all but each user's last
   * row, as the served one, and a weaker one makes the blend lean on terms that describe the cut,
   * not a user's last row (on three simulated logs stretched thirty-fold, with recency 2 in the
   * configured weights: a quarter of the epochs kept those weights, which ranked the held-out rows
   * at nDCG@10 0.022–0.036; all of them, an ascended blend at 0.060–0.062, beside the model alone's
   * 0.060–0.068).
   * @defaultValue 0.25, 1 under leave-last-out
   */
  epochsFactor?: number;
  /**
   * Bootstrap resamples the weights are averaged over when the validation is one fold; over
   * several, one bag leaves out each (coordinate-ascent.ts baggedAscent). @defaultValue 6
   */
  bags?: number;
  /** Fewer validation users than this: no fit (the hand weights serve). @defaultValue 30 */
  minUsers?: number;
  onProgress?: (fraction: number, stage: string) => void;
}

/** Candidate values per term; the model term is the fixed anchor of the scale (the diversity penalty is in score units). */
const GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5];
const SIGNED_GRID = [-1, -0.5, -0.2, ...GRID];
/** Each blend term's grid, in BLEND_TERMS order: trend may count against a market, the others not. */
export const BLEND_GRIDS: readonly (readonly number[])[] = BLEND_TERMS.map((term) =>
  term === 'trend' ? SIGNED_GRID : GRID,
);
const ROUNDS = 3;
/**
 * Rolling-origin validation folds over the window's latest rows when no horizon is known. One: on
 * the simulator before its dynamics, three folds over the latest 30% learned a blend that ranked the
 * test period worse (nDCG@10 0.111 against 0.146). With a horizon, see HORIZON_FOLDS.
 */
const FOLDS = 1;
/** Validation periods as long as the horizon, when it is known (validationFolds). */
const HORIZON_FOLDS = 3;
/** The earliest validation period leaves at least this share of the window's rows before it. */
const MIN_TRAIN_SHARE = 0.4;
/**
 * Bootstrap resamples of the validation users whose ascended weights are averaged when the
 * validation is one fold: two let the learned blend lose 0.03 or more on one seed in five
 * (served-blend.test.ts). Over several folds, one bag per fold leaves it out (baggedAscent); that
 * costs what two bootstrap bags did (three ascents on two thirds of the users each).
 */
const BAGS = 6;
/** A change must gain at least this much nDCG on the slice: noise-level gains overfit. */
const MIN_GAIN = 1e-4;

/**
 * Learns a served ranker's score blend (model score, popularity, recency, trend, freshness, closing
 * soon, affinities, neighbours, siblings) the way it will be used: the training window's latest rows
 * are the validation folds (validationFolds: periods as long as the horizon, or a slice); a model of
 * the same kind is fitted on the rows before the earliest (for a quarter of the epochs), the served
 * pipeline proposes each validation user's candidates from what was known at their fold's start,
 * and coordinate ascent over a grid of weights maximises nDCG@k of the blend's order against what
 * the users engaged with during the fold (Metzler & Croft's linear feature search: direct on the
 * metric, a handful of parameters, no gradients), averaged over bootstrap resamples of the
 * validation users (coordinate-ascent.ts; where it starts: learnBlend). Which weights serve is then
 * judged by the list the feed would serve (diversity and exploration after the blend), not by the
 * candidates' order by score, which the ascent moves on because it can update it term by term:
 * diversity costs some weights far more than others (the configured weights' candidate order ranked
 * simulated seed 7's test period at 0.140 and their served list at 0.122; a learned blend's at 0.139
 * and 0.137). The returned weights serve with the model fitted on the whole window. `undefined` when
 * the folds are too small to learn from.
 */
export async function fitServedBlend(
  train: TrainSet,
  config: RankerConfig,
  options: BlendFitOptions,
): Promise<BlendFit | undefined> {
  const started = performance.now();
  const k = options.k ?? 10;
  const report = (f: number, stage: string) => options.onProgress?.(f, stage);
  const foldSplits = validationFolds(train, options);
  const evaluatedUsers = foldSplits.reduce((a, sp) => a + sp.info.evaluatedUsers, 0);
  if (evaluatedUsers < (options.minUsers ?? 30)) return undefined;

  const users = await blendValidationSet(foldSplits, config, options, k);
  if (!users) return undefined;
  report(0.9, 'fitting the blend');
  const bags = options.bags ?? BAGS;
  const fitted = learnBlend(users, config, {
    k,
    bags,
    seed: options.seed,
    startWithoutNow: leftLastOut(train),
  });
  const { w, ndcg: best, ndcgConfigured: ndcgHand } = fitted;
  report(1, 'blend fitted');
  const weights = Object.fromEntries(BLEND_TERMS.map((term, t) => [term, w[t]!])) as BlendWeights;
  const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    ranker: config.name,
    weights,
    validation: {
      from: new Date(foldSplits[0]!.train.cutoffMs).toISOString(),
      to: new Date(train.cutoffMs).toISOString(),
      users: users.length,
      k,
      ndcgHand: round4(ndcgHand),
      ndcgFitted: round4(best),
      start: fitted.start,
      learned: fitted.learned,
      outOfBagGain: {
        mean: round4(fitted.outOfBag.mean),
        low: round4(fitted.outOfBag.low),
        high: round4(fitted.outOfBag.high),
        users: fitted.outOfBag.users,
      },
    },
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

/** A learned blend: where its ascent started, the weights that serve and what they are worth. */
export interface LearnedBlend {
  start: string;
  /** Whether the ascended weights serve (else the start's own). */
  learned: boolean;
  w: Float64Array;
  /** Mean nDCG@k of `w` on the validation users. */
  ndcg: number;
  /** The same of the ranker's configured weights. */
  ndcgConfigured: number;
  /** The ascended weights' nDCG@k minus the start's, on the users each bag left out. */
  outOfBag: Interval & { users: number };
}

/**
 * The blend the validation users rank best by, judged on users the ascent did not fit, by the lists
 * the feed would serve them (coordinate-ascent.ts userNdcgs).
 *
 * 1. A bagged coordinate ascent from the ranker's configured weights. Its weights serve only if they
 *    beat the configured ones beyond doubt on the users each bag left out (out of bag: the
 *    validation period each ascent did not see, when there are several; the paired bootstrap's
 *    95% interval above zero, as the promotion gate judges); otherwise the configured weights
 *    serve. On the slice it was fitted on, an ascent always looks better. Ranking the test
 *    period (the blend's order of the candidates): on 24 small logs (150–300 users, 20–90
 *    validation users) the ascended weights scored mean nDCG@10 0.077 against the configured
 *    weights' 0.098, and 0.093 gated this way; on six larger ids-only logs the gate kept the
 *    ascended weights on four, 0.141 against 0.138 always ascended and 0.120 configured.
 * 2. If a model-free served ranker's blend (blendStarts) is better on the slice than (1) beyond
 *    doubt, the same from the best of those instead. Picking among several ascents by their means
 *    alone fits the slice's noise: ascending from every start and keeping the best ranked the test
 *    period worse on the simulator (seeds 7, 11, 23) and took four times as long.
 */
export function learnBlend(
  users: readonly AscentUser[],
  config: RankerConfig,
  options: {
    k: number;
    bags: number;
    seed: number;
    /** Starts without the terms that describe the cut (NOW_TERMS): leave-last-out's validation. */
    startWithoutNow?: boolean;
  },
): LearnedBlend {
  const { k, seed } = options;
  // Each user's nDCG of their served list, per weights (judging a list re-ranks it: done once each).
  const judged = new Map<string, Float64Array>();
  const judge = (w: Float64Array) => {
    const key = w.join();
    let ndcg = judged.get(key);
    if (!ndcg) judged.set(key, (ndcg = userNdcgs(users, w, k)));
    return ndcg;
  };
  const settle = (name: string, start: Float64Array): Omit<LearnedBlend, 'ndcgConfigured'> => {
    // The start's largest weight stays fixed as the scale (the diversity penalty is in score units).
    const anchor = start.indexOf(Math.max(...start));
    const bagged = baggedAscent(users, start, {
      k,
      grids: BLEND_GRIDS,
      anchor,
      rounds: ROUNDS,
      minGain: MIN_GAIN,
      bags: options.bags,
      seed,
    });
    const before = judge(start);
    const held = users.flatMap((_, u) => (Number.isNaN(bagged.outOfBag[u]) ? [] : [u]));
    const gain = bootstrapMean(
      Float64Array.from(held, (u) => bagged.outOfBag[u]! - before[u]!),
      { seed },
    );
    const learned = held.length > 0 && gain.low > 0;
    const w = learned ? bagged.weights : start;
    return {
      start: name,
      learned,
      w,
      ndcg: mean(judge(w)),
      outOfBag: { ...gain, users: held.length },
    };
  };
  const zeroed = silentTerms(users);
  if (options.startWithoutNow) for (const term of NOW_TERMS) zeroed.add(term);
  const [first, ...others] = blendStarts(config, zeroed);
  const configured = settle('configured', first![1]);
  const configuredPerUser = judge(configured.w);
  let challenger: { start: string; w: Float64Array; ndcg: number } | undefined;
  for (const [name, start] of others) {
    const perUser = judge(start);
    const ndcg = mean(perUser);
    if (ndcg <= (challenger?.ndcg ?? configured.ndcg)) continue;
    if (bootstrapMean(perUser, { paired: configuredPerUser, seed }).low > 0)
      challenger = { start: name, w: start, ndcg };
  }
  const ndcgConfigured = mean(judge(weightVector(config.weights)));
  return { ...(challenger ? settle(challenger.start, challenger.w) : configured), ndcgConfigured };
}

/**
 * Where the ascents can start: the ranker's configured weights, then each model-free served
 * ranker's (the baselines feeds serve, category affinity among them; no model term) and
 * recency-weighted popularity alone. From a baseline's weights the ascent can add the model's score,
 * so where the slice clearly prefers a baseline's kind of blend (a log where what is popular now
 * predicts, say) the learned blend is not left below it.
 *
 * `zeroed`: terms at zero in every start, and no start that is left with nothing: those the
 * validation never sees vary (silentTerms), and under leave-last-out the terms that describe the
 * moment of the cut (NOW_TERMS), which the ascent may add back. Under leave-last-out a user's
 * held-out row can be anywhere in time, so the configured weights' prior that what is popular now
 * is engaged with next does not hold: on six simulated ids-only logs, where the ascent was not kept
 * the configured weights ranked the held-out rows at nDCG@10 0.060 and 0.062 with those terms and
 * 0.069 and 0.078 starting without them, and the served two-tower was at least every baseline on
 * five logs of six, not three (BENCHMARKS.md).
 */
function blendStarts(config: RankerConfig, zeroed: ReadonlySet<BlendTerm>): [string, Float64Array][] {
  const off = Object.fromEntries([...zeroed].map((term) => [term, 0]));
  const vector = (weights: BlendWeights) => weightVector({ ...weights, ...off });
  const starts: [string, Float64Array][] = [['configured', vector(config.weights)]];
  if (!config.model) return starts;
  for (const other of RANKERS.values()) if (!other.model) starts.push([other.name, vector(other.weights)]);
  starts.push(['recency', vector({ ...ZERO_WEIGHTS, recency: 1 })]);
  return starts.filter(([name, w]) => name === 'configured' || w.some((x) => x > 0));
}

/**
 * Terms (the model's score aside) that never vary within a validation user's candidates:
 * the validation cannot tell what they are worth, so no start serves them, and the ascent could add
 * them back only for a gain it cannot see. On a sparse log the windows of a day or a week before
 * each validation period are empty (popularity, trend, freshness all zero), while the day before
 * the cut may hold one user's session, which the configured weights then serve to everyone: on 12
 * generated logs spanning decades, zeroing them ranked the test period at mean nDCG@10 0.077
 * against 0.073 (BENCHMARKS.md), and changed nothing where the terms vary (simulated exchanges).
 */
function silentTerms(users: readonly AscentUser[]): Set<BlendTerm> {
  const T = BLEND_TERMS.length;
  const silent = new Set<BlendTerm>();
  BLEND_TERMS.forEach((term, t) => {
    if (term === 'model') return;
    const varies = users.some(({ terms }) => {
      for (let o = T + t; o < terms.length; o += T) if (terms[o] !== terms[t]) return true;
      return false;
    });
    if (!varies) silent.add(term);
  });
  return silent;
}

type BlendTerm = (typeof BLEND_TERMS)[number];

/** Blend terms that describe the moment the feed is ranked, not the user. */
const NOW_TERMS = ['popularity', 'recency', 'trend', 'freshness', 'closingSoon'] as const;

const mean = (x: Float64Array) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : 0);

const ZERO_WEIGHTS = Object.fromEntries(BLEND_TERMS.map((t) => [t, 0])) as BlendWeights;

/**
 * The validation users of a blend fit: for each fold, a model of the ranker's kind fitted on the
 * rows before it (a quarter of the epochs), and each user's candidates from the served pipeline as
 * of the fold's start, with their blend terms and which ones the user engaged with in the fold.
 * `undefined` when the ranker's kind cannot serve.
 */
export async function blendValidationSet(
  foldSplits: readonly EvalSplit[],
  config: RankerConfig,
  options: BlendFitOptions,
  k: number,
): Promise<AscentUser[] | undefined> {
  const report = (f: number, stage: string) => options.onProgress?.(f, stage);
  let serving: ServingModel | undefined;
  if (config.model) {
    const kind = getKind(config.model);
    if (!kind.serve) return undefined;
    const hp = { ...options.hyperparameters };
    const model: PersistentRecommender = kind.create(hp);
    const epochs = (model.hyperparameters as { epochs?: unknown }).epochs;
    const factor = options.epochsFactor ?? (leftLastOut(foldSplits[0]!.train) ? 1 : 0.25);
    const validationModel =
      typeof epochs === 'number'
        ? kind.create({
            ...hp,
            epochs: Math.max(1, Math.round(epochs * factor)),
          })
        : model;
    // One model for every fold, fitted before the first: later folds serve it a little stale, as
    // feeds serve yesterday's model.
    await validationModel.fit(foldSplits[0]!.train, {
      seed: options.seed,
      onProgress: (f, stage) => report(0.8 * f, `validation model: ${stage}`),
    });
    serving = (await servingModels([validationModel], 'validation')).get(kind.kind);
  }
  const users: AscentUser[] = [];
  for (const [period, slice] of foldSplits.entries()) {
    const ranker = new ServedRankerRecommender(config, { ...(serving ? { model: () => serving } : {}) });
    await ranker.fit(slice.train, { seed: options.seed });
    for (const { user, relevant } of validationUsers(slice.test.user, slice.test.item)) {
      const { candidates, items, request } = ranker.candidates(user);
      const hit = Uint8Array.from(items, (i) => (relevant.has(i) ? 1 : 0));
      // Holds what re-ranking reads, not the user's signals (a model score per open market).
      const order = servedOrder(candidates, config, request);
      users.push({
        terms: candidates.terms,
        hit,
        ideal: idealDcg(Math.min(relevant.size, k)),
        served: (w) => order(w).positions,
        period,
      });
    }
  }
  return users;
}

/**
 * Whether the window's held-out rows are each user's last (leave-last-out: TrainSet.target). The
 * validation then holds out each user's last training row, the same protocol one step earlier;
 * a user's held-out row can be anywhere in time, so the terms that describe the cut (popularity,
 * trend, freshness) do not describe it, and the ascents start without them (blendStarts).
 */
const leftLastOut = (train: TrainSet) => train.target === 'each-users-last';

/**
 * The validation folds, earliest first, each a temporal split of a prefix of the window's rows.
 * With a horizon: up to `folds` (3) consecutive periods as long as the horizon, ending at the cut,
 * each judged on its own period, as long as the earliest leaves 40% of the rows before it; a single
 * period judges a blend by whatever the days before the cut held (a burst of news just before it
 * made recency-weighted popularity look useless on the slice, nDCG@10 0.004, and it was the best
 * line on the test period, 0.267; over three periods the learned blend went from 0.141 to 0.281 on
 * that log). Without a horizon: rolling origins over the latest `validationFraction` of the rows.
 * Under leave-last-out (the window's `target`): each user's last training row held out.
 */
export function validationFolds(
  train: TrainSet,
  options: Pick<BlendFitOptions, 'folds' | 'validationFraction' | 'horizonMs'>,
): EvalSplit[] {
  const content = train.content ? { content: train.content } : {};
  if (leftLastOut(train)) return [leaveLastOutSplit(train.log, content)];
  const n = train.log.user.length;
  const prefixSplit = (end: number, start: number) =>
    temporalSplit(selectRows(train.log, range(end)), {
      testFraction: (end - start) / Math.max(1, end),
      ...content,
    });
  if (options.horizonMs !== undefined && options.horizonMs > 0) {
    const ts = train.log.ts;
    const folds: EvalSplit[] = [];
    for (let f = options.folds ?? HORIZON_FOLDS; f >= 1; f--) {
      const end = firstAtOrAfter(ts, train.cutoffMs - (f - 1) * options.horizonMs);
      const start = firstAtOrAfter(ts, train.cutoffMs - f * options.horizonMs);
      if (start >= MIN_TRAIN_SHARE * n && end > start) folds.push(prefixSplit(end, start));
    }
    if (folds.length) return folds;
  }
  const folds = options.folds ?? FOLDS;
  const span = options.validationFraction ?? 0.15;
  const cuts = Array.from({ length: folds + 1 }, (_, f) => Math.round(n * (1 - span + (f * span) / folds)));
  return cuts.slice(0, -1).map((cut, f) => prefixSplit(cuts[f + 1]!, cut));
}

/** Index of the first row at or after `ms` (rows sorted by time). */
function firstAtOrAfter(ts: Float64Array, ms: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

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

/**
 * Learned blends of the model-based served rankers (all, or those named) whose model kind is among
 * `fitted`: what a retrain stores with the model version and what `sibyl eval` serves with.
 */
export async function fitServedBlends(
  train: TrainSet,
  fitted: Iterable<Recommender>,
  options: Omit<BlendFitOptions, 'hyperparameters'> & { rankers?: readonly string[] },
): Promise<Map<string, BlendFit>> {
  const byKind = fittedByKind(fitted);
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
