import type { CollectionName } from '../domain/collections.js';
import type { Document, Store } from '../store/types.js';
import {
  compareToControl,
  RatioAccumulator,
  sampleRatioMismatch,
  type LiftResult,
  type RatioSummary,
  type SampleRatioMismatch,
} from './stats/index.js';

/** Per-variation sums, as the results pipeline returns them (users with activity after exposure only). */
interface ActivitySums {
  _id: string;
  imp: number;
  clk: number;
  impSq: number;
  clkSq: number;
  impClk: number;
  trd: number;
  trdSq: number;
  traders: number;
  /** Dollars traded: contracts × price of each trade. */
  ntl: number;
}

export const METRICS = ['ctr', 'tradeConversion', 'tradesPerUser'] as const;
export type Metric = (typeof METRICS)[number];

export interface VariationResult {
  variationId: string;
  exposedUsers: number;
  impressions: number;
  clicks: number;
  trades: number;
  /** Dollars traded (contracts × price) by the variation's users after exposure. */
  notional: number;
  /** clicks / impressions of the variation's users (a ratio metric, analysed per user). */
  ctr: number | null;
  /** users who traded / exposed users. */
  tradeConversion: number | null;
  tradesPerUser: number | null;
  /** notional / exposed users. */
  notionalPerUser: number | null;
}

export interface ExperimentResults {
  experimentId: string;
  controlVariationId: string;
  variations: VariationResult[];
  /** Each treatment against control, per metric (95% CI, p-value, chance to beat control). */
  comparisons: { variationId: string; metric: Metric; result: LiftResult }[];
  sampleRatioMismatch: SampleRatioMismatch | null;
  computedAt: Date;
}

/**
 * The interactions of exposed users after their first exposure, summed per variation inside the
 * database. Expected plan on MongoDB: the $match on `ts_1` (interactions since the experiment
 * started), $lookup of each interaction's user through exposures `userId_1`, $group by user, then by
 * variation: no group wider than the exposed users.
 */
export function activityPipeline(experimentId: string, since: Date): Document[] {
  const count = (type: string) => ({ $sum: { $cond: [{ $eq: ['$type', type] }, 1, 0] } });
  return [
    ...exposedActivity(experimentId, since),
    {
      $group: {
        _id: '$userId',
        v: { $first: '$x.variationId' },
        imp: count('impression'),
        clk: count('click'),
        trd: count('trade'),
        ntl: { $sum: TRADE_NOTIONAL },
      },
    },
    {
      $group: {
        _id: '$v',
        imp: { $sum: '$imp' },
        clk: { $sum: '$clk' },
        impSq: { $sum: { $multiply: ['$imp', '$imp'] } },
        clkSq: { $sum: { $multiply: ['$clk', '$clk'] } },
        impClk: { $sum: { $multiply: ['$imp', '$clk'] } },
        trd: { $sum: '$trd' },
        trdSq: { $sum: { $multiply: ['$trd', '$trd'] } },
        traders: { $sum: { $cond: [{ $gt: ['$trd', 0] }, 1, 0] } },
        ntl: { $sum: '$ntl' },
      },
    },
  ];
}

/** An interaction's dollars traded: contracts × price for a trade, else 0. */
export const TRADE_NOTIONAL = {
  $cond: [
    { $eq: ['$type', 'trade'] },
    { $multiply: [{ $ifNull: ['$contracts', 0] }, { $ifNull: ['$price', 0] }] },
    0,
  ],
};

/**
 * Impressions, clicks and trades since `since` of users exposed to the experiment, each after the
 * user's exposure, with the exposure as `x`.
 */
export function exposedActivity(experimentId: string, since: Date): Document[] {
  return [
    { $match: { ts: { $gte: since }, type: { $in: ['impression', 'click', 'trade'] } } },
    {
      $lookup: {
        from: 'exposures' satisfies CollectionName,
        localField: 'userId',
        foreignField: 'userId',
        as: 'x',
      },
    },
    { $unwind: '$x' },
    { $match: { 'x.experimentId': experimentId, $expr: { $gte: ['$ts', '$x.timestamp'] } } },
  ];
}

export interface ResultsOptions {
  /** The control variation. @defaultValue '0' */
  controlVariationId?: string;
  /** Configured traffic weights by variation id, for the sample-ratio-mismatch check. */
  weights?: Record<string, number>;
  now?: Date;
}

/**
 * Results of one experiment from its exposures and the interactions after each user's first
 * exposure. Users exposed but inactive count as zeros: they are in every denominator.
 */
export async function experimentResults(
  store: Store,
  experimentId: string,
  options: ResultsOptions = {},
): Promise<ExperimentResults> {
  const control = options.controlVariationId ?? '0';
  const exposed = await store
    .collection('exposures')
    .aggregate<{ _id: string; users: number; since: Date }>([
      { $match: { experimentId } },
      { $group: { _id: '$variationId', users: { $sum: 1 }, since: { $min: '$timestamp' } } },
    ])
    .toArray();
  const since = exposed.reduce<Date | undefined>(
    (min, e) => (!min || e.since < min ? e.since : min),
    undefined,
  );
  const activity = since
    ? await store
        .collection('interactions')
        .aggregate<ActivitySums>(activityPipeline(experimentId, since))
        .toArray()
    : [];
  const sums = new Map(activity.map((a) => [a._id, a]));

  const ids = [
    ...new Set([control, ...exposed.map((e) => e._id), ...Object.keys(options.weights ?? {})]),
  ].sort((a, b) => (a === control ? -1 : b === control ? 1 : a.localeCompare(b, 'en', { numeric: true })));
  const summaries = new Map<string, Record<Metric, RatioSummary>>();
  const variations = ids.map((variationId): VariationResult => {
    const n = exposed.find((e) => e._id === variationId)?.users ?? 0;
    const a = sums.get(variationId);
    const ratio = (sumX: number, sumY: number, sumXX: number, sumYY: number, sumXY: number) =>
      RatioAccumulator.fromSums({ n, sumX, sumY, sumXX, sumYY, sumXY }).summary();
    const metrics: Record<Metric, RatioSummary> = {
      ctr: ratio(a?.clk ?? 0, a?.imp ?? 0, a?.clkSq ?? 0, a?.impSq ?? 0, a?.impClk ?? 0),
      tradeConversion: ratio(a?.traders ?? 0, n, a?.traders ?? 0, n, a?.traders ?? 0),
      tradesPerUser: ratio(a?.trd ?? 0, n, a?.trdSq ?? 0, n, a?.trd ?? 0),
    };
    summaries.set(variationId, metrics);
    return {
      variationId,
      exposedUsers: n,
      impressions: a?.imp ?? 0,
      clicks: a?.clk ?? 0,
      trades: a?.trd ?? 0,
      notional: roundCents(a?.ntl ?? 0),
      ctr: metrics.ctr.mean,
      tradeConversion: metrics.tradeConversion.mean,
      tradesPerUser: metrics.tradesPerUser.mean,
      notionalPerUser: n > 0 ? (a?.ntl ?? 0) / n : null,
    };
  });

  const comparisons = ids
    .filter((id) => id !== control)
    .flatMap((variationId) =>
      METRICS.map((metric) => ({
        variationId,
        metric,
        result: compareToControl(summaries.get(control)![metric], summaries.get(variationId)![metric]),
      })),
    );
  const weights = options.weights;
  const srm =
    weights &&
    ids.length >= 2 &&
    ids.every((id) => weights[id] !== undefined) &&
    variations.some((v) => v.exposedUsers > 0)
      ? sampleRatioMismatch(
          ids.map((id) => variations.find((v) => v.variationId === id)!.exposedUsers),
          ids.map((id) => weights[id]!),
        )
      : null;
  return {
    experimentId,
    controlVariationId: control,
    variations,
    comparisons,
    sampleRatioMismatch: srm,
    computedAt: options.now ?? new Date(),
  };
}

/** Sums of float products drift by fractions of a cent; totals are shown in cents. */
export function roundCents(dollars: number): number {
  return Math.round(dollars * 100) / 100;
}
