import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InteractionLog, TrainSet } from '../../models/core/types.js';
import { loadTwoTower, saveTwoTower } from '../../models/two-tower/artifact.js';
import { leaveLastOutSplit, temporalSplit } from '../../models/eval/split.js';
import { hashToken } from '../../models/two-tower/content-hash.js';
import { twoTowerKind } from '../../models/two-tower/kind.js';
import type { TwoTowerHyperparameters } from '../../models/two-tower/hyperparameters.js';
import { TwoTowerModel, trainingHalfLife } from '../../models/two-tower/model.js';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import { createStep } from '../../models/two-tower/step-factory.js';
import { loadNativeTf } from '../../models/two-tower/tfjs-backend.js';
import { Rng } from '../../src/util/rng.js';
import { randomTwoTower } from '../helpers/synthetic-ranking.js';
import { FORMAT2_VOCABULARY_FILES, writeFormat1ModelFile } from '../helpers/artifact-format1.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const DAY = 86_400_000;
const CATEGORIES = ['crypto', 'politics', 'weather', 'sports'];

/**
 * Users each follow one category and interact only with its items; the last 8 items (two per
 * category) never appear in training: the cold-start markets.
 */
function groupedData(users = 200, items = 80, perUser = 12, seed = 1, spanDays = 20): TrainSet {
  const rng = Rng.of(seed, 'two-tower-test');
  const warmItems = items - 8;
  const rows: { u: number; i: number; t: number }[] = [];
  for (let u = 0; u < users; u++) {
    const c = u % CATEGORIES.length;
    for (let k = 0; k < perUser; k++) {
      const i = c + CATEGORIES.length * rng.int(warmItems / CATEGORIES.length);
      rows.push({ u, i, t: TEST_END.getTime() - (spanDays + 1) * DAY + rng.next() * spanDays * DAY });
    }
  }
  rows.sort((a, b) => a.t - b.t);
  const log: InteractionLog = {
    userIds: Array.from({ length: users }, (_, u) => `user-${String(u).padStart(4, '0')}`),
    itemIds: Array.from({ length: items }, (_, i) => `M-${String(i).padStart(4, '0')}`),
    user: Int32Array.from(rows, (r) => r.u),
    item: Int32Array.from(rows, (r) => r.i),
    ts: Float64Array.from(rows, (r) => r.t),
    weight: new Float32Array(rows.length).fill(1),
  };
  const content = log.itemIds.map((_, i) => [`category:${CATEGORIES[i % CATEGORIES.length]}`, `title:w${i}`]);
  return { log, numUsers: users, numItems: items, cutoffMs: TEST_END.getTime() - DAY, content };
}

const small = { dim: 16, epochs: 6, batchSize: 64, historyLength: 5, contentBuckets: 1024 };

/** Share of a user's top-10 (over warm items) that is in their category. */
function inCategoryShare(model: TwoTowerModel, train: TrainSet, user: number): number {
  const scores = new Float32Array(train.numItems);
  model.scoreUser(user, scores);
  const top = [...Array(train.numItems - 8).keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
  return top.filter((i) => i % CATEGORIES.length === user % CATEGORIES.length).length / 10;
}

/** Share of a serving vector's top-10 markets (by dot product) in the category of index `category`. */
function topCategoryShare(v: Float32Array, vectors: Float32Array, dim: number, category: number): number {
  const scores = Array.from({ length: vectors.length / dim }, (_, i) =>
    v.reduce((s, x, k) => s + x * vectors[i * dim + k]!, 0),
  );
  const top = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
  return top.filter((i) => i % CATEGORIES.length === category).length / 10;
}

/** The first index where the two differ (lengths included), or -1. */
function firstDifference<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe('two-tower model', () => {
  it('learns who likes what: top items come from the user’s own category', async () => {
    const train = groupedData();
    const model = new TwoTowerModel(small);
    await model.fit(train, { seed: 7 });
    const users = [0, 1, 2, 3, 50, 101, 150, 199];
    const share = users.reduce((a, u) => a + inCategoryShare(model, train, u), 0) / users.length;
    expect(share).toBeGreaterThan(0.9); // chance is 0.25
  });

  it('learns from a log spanning years: decay lengthens its half-life rather than drop the past', async () => {
    const { content: _, ...train } = groupedData(200, 80, 12, 1, 10 * 365);
    const users = [0, 1, 2, 3, 50, 101, 150, 199];
    const share = async (hp: Partial<TwoTowerHyperparameters>) => {
      const model = new TwoTowerModel({ ...small, ...hp });
      await model.fit(train, { seed: 7 });
      return users.reduce((a, u) => a + inCategoryShare(model, train, u), 0) / users.length;
    };
    // Ids only, ten years: 14 days alone keep 0.6% of the weight, and the model ranks at chance (0.25).
    expect(await share({ minDecayedShare: 0 })).toBeLessThan(0.5);
    expect(await share({})).toBeGreaterThan(0.9);
  });

  it('keeps the configured half-life when its decayed examples hold enough of the weight', () => {
    const { log, cutoffMs } = groupedData();
    expect(trainingHalfLife(log, cutoffMs, 14 * DAY, 0.25)).toBe(14 * DAY);
    const years = groupedData(200, 80, 12, 1, 3 * 365);
    const halfLife = trainingHalfLife(years.log, years.cutoffMs, 14 * DAY, 0.25);
    // Uniform over three years: a quarter is kept at about 0.25 · ln 2 · 3 years ≈ 190 days.
    expect(halfLife / DAY).toBeGreaterThan(150);
    expect(halfLife / DAY).toBeLessThan(230);
  });

  it('trains without a "now" under leave-last-out: no decay towards the cut, negatives from any time', async () => {
    const { content: _, ...years } = groupedData(200, 80, 12, 1, 10 * 365);
    const split = leaveLastOutSplit(years.log);
    expect(split.train.target).toBe('each-users-last');
    expect(temporalSplit(years.log, { testFraction: 0.2 }).train.target).toBeUndefined();
    const scores = async (train: TrainSet, hp: Partial<TwoTowerHyperparameters>) => {
      const model = new TwoTowerModel({ ...small, ...hp });
      await model.fit(train, { seed: 7 });
      const out = new Float32Array(train.numItems);
      model.scoreUser(0, out);
      return out;
    };
    const { target: __, ...afterCut } = split.train;
    const lastOut = await scores(split.train, {});
    // The same rows as if held out after the cut, with decay and time windows switched off by hand.
    expect(await scores(afterCut, { halfLifeDays: 1e15, negativeWindowBatches: 0 })).toEqual(lastOut);
    expect(await scores(afterCut, {})).not.toEqual(lastOut);
  });

  it('gives never-seen markets a useful vector from content alone', async () => {
    const train = groupedData();
    const model = new TwoTowerModel(small);
    await model.fit(train, { seed: 7 });
    const scores = new Float32Array(train.numItems);
    let right = 0;
    let total = 0;
    for (let u = 0; u < 40; u++) {
      model.scoreUser(u, scores);
      // The cold items are the last 8: the two of the user's category should beat the other six.
      const cold = [...Array(8).keys()].map((k) => train.numItems - 8 + k);
      const mine = cold.filter((i) => i % 4 === u % 4);
      const others = cold.filter((i) => i % 4 !== u % 4);
      for (const a of mine) {
        for (const b of others) {
          total++;
          if (scores[a]! > scores[b]!) right++;
        }
      }
    }
    expect(right / total).toBeGreaterThan(0.9);
  });

  it('scores a market whose every token is new since the fit at zero for everyone, not at random', async () => {
    const train = groupedData();
    const model = new TwoTowerModel(small);
    await model.fit(train, { seed: 7 });
    const used = new Set(
      train.content!.flatMap((tokens) => tokens.map((t) => hashToken(t, small.contentBuckets))),
    );
    const fresh = ['title:quokka', 'title:zeppelin', 'title:marmalade'].filter(
      (t) => !used.has(hashToken(t, small.contentBuckets)),
    );
    expect(fresh.length).toBeGreaterThan(0);
    const later: TrainSet = {
      ...train,
      log: { ...train.log, itemIds: [...train.log.itemIds, 'M-NEW'] },
      numItems: train.numItems + 1,
      content: [...train.content!, fresh],
    };
    model.bind(later);
    const scores = new Float32Array(later.numItems);
    for (const u of [0, 1, 2, 3, 77]) {
      model.scoreUser(u, scores);
      expect(scores[train.numItems]).toBe(0);
      // A market with a known category token still gets a vector.
      expect(scores[train.numItems - 1]).not.toBe(0);
    }
  });

  it('reports the half-life and negatives it trained with', async () => {
    const { content: _, ...years } = groupedData(200, 80, 12, 1, 3 * 365);
    const model = new TwoTowerModel({ ...small, epochs: 1 });
    await model.fit(years, { seed: 7 });
    const halfLife = trainingHalfLife(years.log, years.cutoffMs, 14 * DAY, 0.25) / DAY;
    expect(model.lastFit).toMatchObject({ negativeWindowBatches: 4 });
    expect(model.lastFit!.halfLifeDays).toBeCloseTo(halfLife, 1);
    await model.fit(leaveLastOutSplit(years.log).train, { seed: 7 });
    expect(model.lastFit).toMatchObject({ negativeWindowBatches: 0 });
    expect(model.lastFit!.halfLifeDays).toBeUndefined();
  });

  it('is deterministic for a seed, whatever the number of kernel threads', async () => {
    const train = groupedData(80, 40, 8);
    const a = new TwoTowerModel({ ...small, epochs: 2, threads: 1 });
    const b = new TwoTowerModel({ ...small, epochs: 2, threads: 2 });
    const c = new TwoTowerModel({ ...small, epochs: 2, threads: 1 });
    await a.fit(train, { seed: 3 });
    await b.fit(train, { seed: 3 });
    await c.fit(train, { seed: 4 });
    expect(b.parameters.wu).toEqual(a.parameters.wu);
    expect(b.parameters.items.weights).toEqual(a.parameters.items.weights);
    expect(c.parameters.wu).not.toEqual(a.parameters.wu);
  });

  it('saves and loads an artifact that scores exactly as the trained model', async () => {
    const train = groupedData(80, 40, 8);
    const model = new TwoTowerModel({ ...small, epochs: 2 });
    await model.fit(train, { seed: 3 });
    const dir = await mkdtemp(path.join(tmpdir(), 'sibyl-tt-'));
    try {
      await model.save(dir);
      const loaded = await twoTowerKind.load(dir);
      loaded.bind(train);
      const expected = new Float32Array(train.numItems);
      const actual = new Float32Array(train.numItems);
      for (const u of [0, 17, 79]) {
        model.scoreUser(u, expected);
        loaded.scoreUser(u, actual);
        expect(actual).toEqual(expected);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps vocabularies of any size and any characters through an artifact', async () => {
    const p = randomTwoTower(120_001, 30, Rng.of(5, 'vocabulary'));
    p.userIds[0] = 'line\nbreak "quoted" \\ ünïcødé';
    p.userIds[120_000] = 'x';
    p.itemIds[7] = '';
    p.userTrained[3] = 0;
    const dir = await mkdtemp(path.join(tmpdir(), 'sibyl-tt-'));
    try {
      await saveTwoTower(p, dir);
      const loaded = await loadTwoTower(dir);
      // Element by element: toEqual over 120k ids and 7.7M floats takes most of a minute.
      expect(firstDifference(loaded.userIds, p.userIds)).toBe(-1);
      expect(firstDifference(loaded.itemIds, p.itemIds)).toBe(-1);
      expect(firstDifference(loaded.userTrained, p.userTrained)).toBe(-1);
      expect(firstDifference(loaded.itemTrained, p.itemTrained)).toBe(-1);
      expect(firstDifference(loaded.users.weights, p.users.weights)).toBe(-1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads artifacts of the first format, vocabularies inside the model file (active models before an upgrade)', async () => {
    const train = groupedData(80, 40, 8);
    const model = new TwoTowerModel({ ...small, epochs: 1 });
    await model.fit(train, { seed: 3 });
    const p = model.parameters;
    const dir = await mkdtemp(path.join(tmpdir(), 'sibyl-tt-'));
    try {
      await model.save(dir);
      await writeFormat1ModelFile(p, dir);
      for (const file of FORMAT2_VOCABULARY_FILES) await rm(path.join(dir, file));
      const loaded = await loadTwoTower(dir);
      expect(loaded.userIds).toEqual(p.userIds);
      expect(loaded.userTrained).toEqual(p.userTrained);
      expect(loaded.items.weights).toEqual(p.items.weights);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('moves a user’s serving vector toward what they just interacted with', async () => {
    const train = groupedData();
    const model = new TwoTowerModel(small);
    await model.fit(train, { seed: 7 });
    const serving = new TwoTowerServing('test', model.parameters);
    const markets = train.log.itemIds.map((ticker, i) => ({ ticker, content: train.content![i]! }));
    const vectors = serving.marketVectors(markets);
    const cryptoShare = (v: Float32Array) => topCategoryShare(v, vectors, serving.dim, 0);
    // A brand-new user: no id embedding, only history.
    const cold = serving.userVector('someone-new', []);
    const history = [0, 4, 8].map((i) => markets[i]!); // three crypto markets
    const warmed = serving.userVector('someone-new', history);
    expect(cryptoShare(warmed)).toBeGreaterThan(cryptoShare(cold));
    expect(cryptoShare(warmed)).toBeGreaterThanOrEqual(0.8);

    // Built in chunks for a model swap, the serving model answers the same.
    let pauses = 0;
    const chunked = await TwoTowerServing.create('test', model.parameters, async () => {
      pauses++;
    });
    expect(pauses).toBeGreaterThanOrEqual(2);
    const user = train.log.userIds[3]!;
    expect(chunked.knowsUser(user)).toBe(true);
    expect(chunked.userVector(user, history)).toEqual(serving.userVector(user, history));
    expect(chunked.marketVectors(markets)).toEqual(vectors);
  });

  it('keeps a long-standing taste in the serving vector through a burst of something else', async () => {
    // The default history (25 markets): 16 crypto markets, then 8 weather ones, newest first. Ten
    // markets of history would hold the burst and only two crypto markets.
    const { historyLength: _, ...defaultHistory } = small;
    const model = new TwoTowerModel(defaultHistory);
    expect(model.hyperparameters.historyLength).toBe(25);
    const train = groupedData();
    await model.fit(train, { seed: 7 });
    const serving = new TwoTowerServing('test', model.parameters);
    const markets = train.log.itemIds.map((ticker, i) => ({ ticker, content: train.content![i]! }));
    const vectors = serving.marketVectors(markets);
    const topShare = (v: Float32Array, category: number) =>
      topCategoryShare(v, vectors, serving.dim, category);
    const weather = Array.from({ length: 8 }, (_, k) => markets[2 + 4 * k]!);
    const crypto = Array.from({ length: 16 }, (_, k) => markets[4 * k]!);
    const vector = serving.userVector('someone-new', [...weather, ...crypto]);
    expect(topShare(vector, 0)).toBeGreaterThan(topShare(vector, 2));
    // What the burst alone would give: the weather markets first.
    const burst = serving.userVector('someone-new', [...weather, ...crypto.slice(0, 2)]);
    expect(topShare(burst, 2)).toBeGreaterThan(topShare(burst, 0));
  });

  it('trains on the hand-written WebAssembly kernels unless tfjs-node loads', async () => {
    const shape = { maxBatch: 8, dim: 4, userInputDim: 8, itemInputDim: 4, temperature: 0.1, threads: 1 };
    const step = await createStep(shape);
    const native = await loadNativeTf();
    expect(step.backend).toBe(native ? `tfjs-${native.backend}` : 'wasm-simd×1');
    step.dispose();
  });
});
