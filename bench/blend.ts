/**
 * Fitting a served ranker's blend (src/feed/offline/blend-fit.ts) on `sibyl simulate --seed 7
 * --users 1000 --days 14` data, the two-tower ranker's validation users as a retrain builds them
 * (three periods as long as a temporal split's test period, before its cut):
 *
 * - the bagged coordinate ascent (one bag per validation period, each leaving its period out) with
 *   each trial's early-stopping scan, against the same ascent visiting every candidate (the
 *   baseline, in the same run; the two learn the same weights);
 * - judging one weight vector: each user's nDCG of the list the feed would serve (diversity and
 *   exploration), against the candidates' order by score;
 * - the whole choice of weights (learnBlend: starts, ascents, out-of-bag check).
 *
 *   npm run bench -- blend [--runs 5]
 */
import { loadTrainingData } from '../models/data/from-store.js';
import { temporalSplit, testHorizonMs } from '../models/eval/split.js';
import {
  BLEND_GRIDS,
  blendValidationSet,
  learnBlend,
  validationFolds,
} from '../src/feed/offline/blend-fit.js';
import { baggedAscent, userNdcgs } from '../src/feed/offline/coordinate-ascent.js';
import { weightVector } from '../src/feed/pipeline/rank-feed.js';
import { getRanker } from '../src/feed/rankers/rankers.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import { fmt, median, table, timeRuns } from './harness.js';
import { startStoreProcess } from './store-process.js';

const END = new Date('2026-11-22T00:00:00Z');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export default async function bench(): Promise<void> {
  const runs = flag('runs', 5);
  const server = await startStoreProcess();
  let data: Awaited<ReturnType<typeof loadTrainingData>>;
  try {
    await ensureIndexes(server.store);
    await simulateToStore(server.store, { seed: 7, users: 1000, days: 14, end: END, now: END });
    data = await loadTrainingData(server.store, { to: END });
  } finally {
    await server.stop();
  }
  const split = temporalSplit(data.log, { testFraction: 0.2, content: data.content });
  const config = getRanker('two-tower')!;
  const horizonMs = testHorizonMs(split.info);
  const folds = validationFolds(split.train, horizonMs !== undefined ? { horizonMs } : {});
  const users = (await blendValidationSet(folds, config, { seed: 42 }, 10))!;
  const byScore = users.map(({ served: _, ...user }) => user);
  const start = weightVector(config.weights);
  const ascent = { k: 10, grids: BLEND_GRIDS, anchor: 0, bags: 2, seed: 42 };
  const early = baggedAscent(users, start, ascent);
  const full = baggedAscent(users, start, { ...ascent, earlyStop: false });
  if (early.weights.join() !== full.weights.join())
    throw new Error('the early-stopping ascent learned other weights than the full scan');
  const candidates = users.reduce((a, u) => a + u.hit.length, 0) / users.length;
  console.log(
    `${users.length} validation users over ${folds.length} periods, ${fmt(candidates, 0)} candidates each; ${runs} runs, medians`,
  );
  const ms = async (fn: () => unknown) => median(await timeRuns(runs, fn));
  const fullMs = await ms(() => baggedAscent(users, start, { ...ascent, earlyStop: false }));
  const earlyMs = await ms(() => baggedAscent(users, start, ascent));
  const orderMs = await ms(() => userNdcgs(byScore, start, 10));
  const servedMs = await ms(() => userNdcgs(users, start, 10));
  const learnMs = await ms(() => learnBlend(users, config, { k: 10, bags: 2, seed: 42 }));
  table('Blend fit: median ms', [
    { step: 'bagged ascent, every candidate (baseline)', ms: fmt(fullMs, 0), ratio: '1.00×' },
    { step: 'bagged ascent, early-stopping scan', ms: fmt(earlyMs, 0), ratio: `${fmt(fullMs / earlyMs)}×` },
    { step: 'judge one weight vector, candidates by score', ms: fmt(orderMs, 1), ratio: '' },
    { step: 'judge one weight vector, served lists', ms: fmt(servedMs, 1), ratio: '' },
    { step: 'learnBlend (starts, ascents, out-of-bag check)', ms: fmt(learnMs, 0), ratio: '' },
  ]);
}
