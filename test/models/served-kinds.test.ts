import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersistentRecommender, ServingModel, TrainSet } from '../../models/core/types.js';
import { buildInteractionLog, type InteractionRow } from '../../models/data/interaction-log.js';
import { getKind, listKinds } from '../../models/kinds.js';
import { SlotIndex } from '../../models/vector-search/slot-index.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const CUT = TEST_END.getTime();
const HOUR = 3_600_000;

/**
 * Two communities with a taste each: 24 "a" users on a0…a7, 12 "b" users on b0…b7, five items each,
 * and an item nobody touched before the cut (`z`, in the vocabulary through a test row).
 */
function communities(extraRows: InteractionRow[] = []): TrainSet {
  let seed = 777;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  const rows: InteractionRow[] = [];
  const group = (prefix: string, users: number) => {
    for (let u = 0; u < users; u++) {
      const chosen = new Set([`${prefix}0`]);
      while (chosen.size < 5) chosen.add(`${prefix}${rand(8)}`);
      let t = 0;
      for (const item of chosen)
        rows.push({ user: `${prefix}-user-${u}`, item, ts: CUT - (++t + rand(40)) * HOUR, weight: 1 });
    }
  };
  group('a', 24);
  group('b', 12);
  rows.push(...extraRows);
  const log = buildInteractionLog(rows);
  return { log, numUsers: log.userIds.length, numItems: log.itemIds.length, cutoffMs: CUT };
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const scoresOf = (model: PersistentRecommender, train: TrainSet, user: string) => {
  const out = new Float32Array(train.numItems);
  model.scoreUser(train.log.userIds.indexOf(user), out);
  return out;
};
const historyOf = (train: TrainSet, user: string) => {
  const u = train.log.userIds.indexOf(user);
  const items = new Set<string>();
  for (let r = train.log.user.length - 1; r >= 0; r--)
    if (train.log.user[r] === u) items.add(train.log.itemIds[train.log.item[r]!]!);
  return [...items].map((ticker) => ({ ticker, content: [] }));
};
/** user · market for every item of the train set, by the serving form. */
function served(serving: ServingModel, train: TrainSet, user: string, history = historyOf(train, user)) {
  const markets = train.log.itemIds.map((ticker) => ({ ticker, content: [] }));
  const vectors = serving.marketVectors(markets);
  const u = serving.userVector(user, history);
  if (!u) return undefined;
  return markets.map((_, i) => {
    let s = 0;
    for (let k = 0; k < serving.dim; k++) s += u[k]! * vectors[i * serving.dim + k]!;
    return s;
  });
}
/** Indices sorted by score, best first (ties by index). */
const order = (scores: ArrayLike<number>, among: number[]) =>
  [...among].sort((x, y) => scores[y]! - scores[x]! || x - y);
/** The ids of the three best-scored items other than `seen`. */
function bestUnseen(scores: ArrayLike<number>, itemIds: readonly string[], seen: string[]): string[] {
  const unseen = itemIds.flatMap((id, i) => (seen.includes(id) ? [] : [i]));
  return order(scores, unseen)
    .slice(0, 3)
    .map((i) => itemIds[i]!);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sibyl-kinds-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('EASE and BPR-MF as registry kinds', () => {
  it('are registered next to the two-tower', () => {
    expect(listKinds()).toEqual(expect.arrayContaining(['two-tower', 'ease', 'bpr-mf']));
  });

  for (const [kind, hp] of [
    ['ease', { lambda: 20 }],
    ['bpr-mf', { dim: 8, epochs: 60 }],
  ] as const) {
    it(`${kind}: an artifact saved and loaded scores every user and item as the fitted model does`, async () => {
      const train = communities();
      const fitted = getKind(kind).create(hp);
      await fitted.fit(train, { seed: 3 });
      const at = join(dir, `${kind}-roundtrip`);
      await fitted.save(at);
      const loaded = await getKind(kind).load(at);
      expect(loaded.hyperparameters).toEqual(fitted.hyperparameters);
      loaded.bind(train);
      for (const user of train.log.userIds)
        expect([...scoresOf(loaded, train, user)]).toEqual([...scoresOf(fitted, train, user)]);
      // The serving forms of both answer the same vectors.
      const a = await getKind(kind).serve!('v1', fitted, pause);
      const b = await getKind(kind).serve!('v1', loaded, pause);
      expect(served(b, train, 'a-user-3')).toEqual(served(a, train, 'a-user-3'));
    });

    it(`${kind}: bound to another split, scores items by id whatever their index there`, async () => {
      const train = communities();
      const model = getKind(kind).create(hp);
      await model.fit(train, { seed: 3 });
      const before = scoresOf(model, train, 'a-user-5');
      // A later window: a new item that sorts first (index 0 there) and a new user.
      const later = communities([
        { user: 'a-user-new', item: 'a1', ts: CUT - HOUR, weight: 1 },
        { user: 'a-user-new', item: 'a0', ts: CUT - 2 * HOUR, weight: 1 },
        { user: 'b-user-0', item: '0-new', ts: CUT - HOUR, weight: 1 },
      ]);
      expect(later.log.itemIds[0]).toBe('0-new');
      model.bind(later);
      const after = scoresOf(model, later, 'a-user-5');
      for (const [i, id] of train.log.itemIds.entries())
        expect(after[later.log.itemIds.indexOf(id)], id).toBeCloseTo(before[i]!, 5);
      // The new user is placed by their items: their best unseen items are their community's.
      const fresh = scoresOf(model, later, 'a-user-new');
      const best = bestUnseen(fresh, later.log.itemIds, ['a0', 'a1']);
      expect(
        best.every((id) => id.startsWith('a')),
        best.join(),
      ).toBe(true);
    });

    it(`${kind}: serves exactly the model's order, in [−1, 1], with unknown markets neutral`, async () => {
      const train = communities();
      const model = getKind(kind).create(hp);
      await model.fit(train, { seed: 3 });
      const serving = await getKind(kind).serve!('v1', model, pause);
      expect(serving.space).toBe('score');
      const trained = train.log.itemIds.map((_, i) => i);
      for (const user of ['a-user-0', 'a-user-7', 'b-user-2']) {
        const offline = scoresOf(model, train, user);
        const online = served(serving, train, user)!;
        expect(order(online, trained)).toEqual(order(offline, trained));
        expect(Math.max(...online.map(Math.abs))).toBeCloseTo(1, 5);
        const mean = online.reduce((a, b) => a + b, 0) / online.length;
        expect(mean).toBeCloseTo(0, 5);
      }
      const [unknown] = serving
        .marketVectors([{ ticker: 'never-traded', content: [] }])
        .reduce((acc, x) => [acc[0]! + Math.abs(x)], [0]);
      expect(unknown).toBe(0);
      // Nothing known of a user: no vector, so the feed ranks them without the model.
      expect(serving.userVector('stranger', [{ ticker: 'never-traded', content: [] }])).toBeUndefined();
    });

    it(`${kind}: refuses hyperparameters it does not know or accept`, () => {
      expect(() => getKind(kind).create({ bogus: 1 })).toThrow(/bogus/);
      expect(() => getKind(kind).create({ ...hp, [Object.keys(hp)[0]!]: -1 })).toThrow();
    });
  }

  it('bpr-mf places a brand-new user at the mean of their markets’ factors', async () => {
    const train = communities();
    const model = getKind('bpr-mf').create({ dim: 8, epochs: 60 });
    await model.fit(train, { seed: 3 });
    const serving = await getKind('bpr-mf').serve!('v1', model, pause);
    expect(serving.knowsUser('b-user-1')).toBe(true);
    expect(serving.knowsUser('brand-new')).toBe(false);
    const history = [
      { ticker: 'b3', content: [] },
      { ticker: 'b0', content: [] },
    ];
    const scores = served(serving, train, 'brand-new', history)!;
    const best = bestUnseen(scores, train.log.itemIds, ['b3', 'b0']);
    expect(
      best.every((id) => id.startsWith('b')),
      best.join(),
    ).toBe(true);
  });

  it('ease keeps its one-hot market vectors as coordinates: the same scores as the dense dot products', async () => {
    const train = communities();
    const model = getKind('ease').create({ lambda: 20 });
    await model.fit(train, { seed: 3 });
    const serving = await getKind('ease').serve!('v1', model, pause);
    const markets = [...train.log.itemIds, 'never-traded'].map((ticker) => ({ ticker, content: [] }));
    const slots = new SlotIndex(serving.marketSlots!(markets), serving.dim);
    expect(slots.slots.at(-1)).toBe(-1);
    const user = serving.userVector('x', historyOf(train, 'b-user-4'))!;
    const dense = serving.marketVectors(markets);
    const expected = markets.map((_, i) =>
      user.reduce((sum, x, k) => sum + x * dense[i * serving.dim + k]!, 0),
    );
    expect([...slots.scores(user)]).toEqual(expected.map((x) => Math.fround(x)));
  });

  it('ease places anyone by their history: a new interaction moves the vector', async () => {
    const train = communities();
    const model = getKind('ease').create({ lambda: 20 });
    await model.fit(train, { seed: 3 });
    const serving = await getKind('ease').serve!('v1', model, pause);
    expect(serving.knowsUser('a-user-0')).toBe(false);
    const one = served(serving, train, 'x', [{ ticker: 'a2', content: [] }])!;
    const two = served(serving, train, 'x', [
      { ticker: 'b2', content: [] },
      { ticker: 'a2', content: [] },
    ])!;
    // The best-placed b market (b2 aside) climbs once b2 is in the history.
    const others = train.log.itemIds.flatMap((id, i) => (id === 'a2' || id === 'b2' ? [] : [i]));
    const firstB = (scores: number[]) =>
      order(scores, others).findIndex((i) => train.log.itemIds[i]!.startsWith('b'));
    expect(firstB(one)).toBeGreaterThanOrEqual(3);
    expect(firstB(two)).toBeLessThan(3);
  });
});
