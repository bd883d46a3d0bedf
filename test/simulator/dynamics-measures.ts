import type { InteractionLog } from '../../models/core/types.js';
import { InteractionLogBuilder } from '../../models/data/interaction-log.js';
import { temporalSplit, type EvalSplit } from '../../models/eval/split.js';
import { DEFAULT_HALF_LIFE_MS } from '../../src/domain/interaction-weights.js';
import { INTERACTION_WEIGHTS } from '../../src/domain/interaction-weights.js';
import type { NewsShock, Simulation } from '../../src/simulator/index.js';
import { DAY_MS, HOUR_MS } from '../helpers/fixed-clock.js';

/**
 * What the simulator's temporal dynamics leave in its log (for dynamics.test.ts), measured in one
 * pass over it.
 *
 * Does knowing what is recent pay? On the split `sibyl eval` makes (models/eval's
 * temporal split of the positive interactions, weighted by type as the store's training data is),
 * two forecasts of the test period, each made twice from the training rows, once weighting every
 * row alike and once weighting rows by recency towards the cut:
 * - series: the share of the test period's engagement each series gets (what is hot now, at the
 *   level where popularity carries over to the markets an exchange lists every day);
 * - categories: the categories each user engages with next (what they like now).
 * Each is scored by the mean log-probability it gives the test rows (a proper score: it rewards
 * exactly the forecast that matches what happened).
 */

/** Half-life of the recency-weighted series popularity: popularity-recency's (7 days). */
export const SERIES_HALF_LIFE_MS = DEFAULT_HALF_LIFE_MS;
/** Half-life of a user's recent category mix: a few days, the time scale tastes move on. */
export const CATEGORY_HALF_LIFE_MS = 3 * DAY_MS;
/** Share of a forecast given to the exchange-wide mix, so nothing has probability zero. */
const SMOOTHING = 0.1;

export interface RecencyScores {
  evaluatedUsers: number;
  testRows: number;
  /** Mean log-probability of the test rows' series: all-history and recency-weighted popularity. */
  series: { all: number; recent: number };
  /** Mean log-probability of the test rows' categories under each user's shares. */
  categories: { all: number; recent: number };
}

/**
 * News: how many distinct users engaged with (viewed, clicked, watched or traded) a market of a
 * shocked series in the hours after each shock, summed over the shocks.
 */
export const BURST_HOURS = 3;

export interface Measured {
  recency: RecencyScores;
  burstUsers: number;
}

export function measure(sim: Simulation, shocks: readonly NewsShock[]): Measured {
  const { log, seriesOf, categoryOf, burstUsers } = readLog(sim, shocks);
  return { recency: recencyScores(log, seriesOf, categoryOf), burstUsers };
}

function recencyScores(log: InteractionLog, seriesOf: Int32Array, categoryOf: Int32Array): RecencyScores {
  const split = temporalSplit(log, { testFraction: 0.2 });
  return {
    evaluatedUsers: split.info.evaluatedUsers,
    testRows: split.info.testRows,
    series: {
      all: seriesScore(split, seriesOf, Infinity),
      recent: seriesScore(split, seriesOf, SERIES_HALF_LIFE_MS),
    },
    categories: {
      all: categoryScore(split, categoryOf, Infinity),
      recent: categoryScore(split, categoryOf, CATEGORY_HALF_LIFE_MS),
    },
  };
}

/**
 * The simulation's positive interactions as the store's training data reads them (weighted by
 * type), each item's series and category, and the users engaging after each shock.
 */
function readLog(
  sim: Simulation,
  shocks: readonly NewsShock[],
): { log: InteractionLog; seriesOf: Int32Array; categoryOf: Int32Array; burstUsers: number } {
  const byTicker = new Map(sim.catalogue.markets.map((m) => [m.ticker, m]));
  // Series × absolute hour → the users engaging then, for the hours that follow a shock.
  const afterShock = new Map<string, Set<string>>();
  for (const shock of shocks) {
    for (let h = shock.hour; h < shock.hour + BURST_HOURS; h++)
      afterShock.set(`${shock.series}|${h}`, new Set());
  }
  const builder = new InteractionLogBuilder(1 << 16);
  for (const day of sim.interactionDays()) {
    for (const r of day.records()) {
      const weight = INTERACTION_WEIGHTS[r.type];
      if (!(weight > 0)) continue;
      const ts = Date.parse(r.ts);
      builder.add(r.userId, r.ticker, ts, weight);
      afterShock.get(`${byTicker.get(r.ticker)!.series}|${Math.floor(ts / HOUR_MS)}`)?.add(r.userId);
    }
  }
  const log = builder.build();
  let burstUsers = 0;
  for (const users of afterShock.values()) burstUsers += users.size;
  return {
    log,
    seriesOf: Int32Array.from(log.itemIds, (t) => byTicker.get(t)!.series),
    categoryOf: Int32Array.from(log.itemIds, (t) => byTicker.get(t)!.category),
    burstUsers,
  };
}

const decay = (split: EvalSplit, ts: number, halfLifeMs: number) =>
  Number.isFinite(halfLifeMs) ? 0.5 ** ((split.train.cutoffMs - ts) / halfLifeMs) : 1;

function seriesScore(split: EvalSplit, seriesOf: Int32Array, halfLifeMs: number): number {
  const { log } = split.train;
  const count = Math.max(...seriesOf) + 1;
  const weight = new Float64Array(count);
  let total = 0;
  for (let r = 0; r < log.user.length; r++) {
    const w = log.weight[r]! * decay(split, log.ts[r]!, halfLifeMs);
    weight[seriesOf[log.item[r]!]!]! += w;
    total += w;
  }
  let score = 0;
  for (const item of split.test.item) {
    score += Math.log((1 - SMOOTHING) * (weight[seriesOf[item]!]! / total) + SMOOTHING / count);
  }
  return score / split.test.item.length;
}

function categoryScore(split: EvalSplit, categoryOf: Int32Array, halfLifeMs: number): number {
  const { log, numUsers } = split.train;
  const count = Math.max(...categoryOf) + 1;
  const mine = new Float64Array(numUsers * count);
  const total = new Float64Array(numUsers);
  // The exchange-wide mix every forecast is smoothed towards: the same for both, all-history.
  const global = new Float64Array(count);
  let globalTotal = 0;
  for (let r = 0; r < log.user.length; r++) {
    const u = log.user[r]!;
    const c = categoryOf[log.item[r]!]!;
    const w = log.weight[r]! * decay(split, log.ts[r]!, halfLifeMs);
    mine[u * count + c]! += w;
    total[u]! += w;
    global[c]! += log.weight[r]!;
    globalTotal += log.weight[r]!;
  }
  let score = 0;
  for (let k = 0; k < split.test.user.length; k++) {
    const u = split.test.user[k]!;
    const c = categoryOf[split.test.item[k]!]!;
    score += Math.log(
      (1 - SMOOTHING) * (mine[u * count + c]! / total[u]!) + SMOOTHING * (global[c]! / globalTotal),
    );
  }
  return score / split.test.user.length;
}
