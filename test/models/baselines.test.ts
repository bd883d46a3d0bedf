import { describe, expect, it } from 'vitest';
import type { InteractionLog, Recommender, TrainSet } from '../../models/core/types.js';
import { BprMfRecommender } from '../../models/bpr-mf/model.js';
import { CategoryAffinityRecommender } from '../../models/baselines/category-affinity.js';
import { EaseRecommender } from '../../models/ease/model.js';
import { invertSpdInPlace } from '../../models/ease/spd-inverse.js';
import { ItemKnnRecommender } from '../../models/baselines/item-knn.js';
import { PopularityRecommender } from '../../models/baselines/popularity.js';
import { TrendingRecommender } from '../../models/baselines/trending.js';
import { buildInteractionLog, type InteractionRow } from '../../models/data/interaction-log.js';
import { TopSelector } from '../../models/core/top-selector.js';
import { RECOMMENDERS } from '../../models/eval/recommenders.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const DAY = 86_400_000;
const CUT = TEST_END.getTime();

function trainSet(log: InteractionLog, content?: string[][]): TrainSet {
  const set: TrainSet = { log, numUsers: log.userIds.length, numItems: log.itemIds.length, cutoffMs: CUT };
  if (content) set.content = content;
  return set;
}

/**
 * Two disjoint communities: 30 "a" users on items a0…a9 and 10 "b" users on b0…b9, five items
 * each (a0 for every a user, so a0 is the most popular item overall).
 */
function communities(): TrainSet {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  const rows: InteractionRow[] = [];
  const group = (prefix: string, users: number, first: string[]) => {
    for (let u = 0; u < users; u++) {
      const chosen = new Set(first);
      while (chosen.size < 5) chosen.add(`${prefix}${rand(10)}`);
      let t = 0;
      for (const item of chosen)
        rows.push({ user: `${prefix}-user-${u}`, item, ts: CUT - (++t + rand(50)) * 3_600_000, weight: 1 });
    }
  };
  group('a', 30, ['a0']);
  group('b', 10, []);
  const log = buildInteractionLog(rows);
  const content = log.itemIds.map((id) => [`category:${id[0]}`, `title:${id}`]);
  return trainSet(log, content);
}

function topFor(rec: Recommender, train: TrainSet, user: number, m: number): string[] {
  const scores = new Float32Array(train.numItems);
  rec.scoreUser(user, scores);
  const own = new Int32Array(train.numItems);
  for (let r = 0; r < train.log.user.length; r++) if (train.log.user[r] === user) own[train.log.item[r]!] = 1;
  const all = Array.from({ length: train.numItems }, (_, i) => i);
  return [...new TopSelector().select(scores, all, m, own, 1)].map((i) => train.log.itemIds[i]!);
}

async function expectWithinCommunity(rec: Recommender, train: TrainSet): Promise<void> {
  await rec.fit(train, { seed: 42 });
  for (let u = 0; u < train.numUsers; u++) {
    const prefix = train.log.userIds[u]![0]!;
    const top = topFor(rec, train, u, 3);
    expect(top.length).toBe(3);
    expect(
      top.every((id) => id.startsWith(prefix)),
      `${rec.name}: ${train.log.userIds[u]} → ${top}`,
    ).toBe(true);
  }
}

describe('baselines on two disjoint communities', () => {
  const train = communities();

  it('popularity ranks the globally popular item first for everyone', async () => {
    for (const rec of [new PopularityRecommender({ halfLifeMs: Infinity }), new PopularityRecommender()]) {
      await rec.fit(train, { seed: 1 });
      const b = train.log.userIds.indexOf('b-user-0');
      expect(topFor(rec, train, b, 1)).toEqual(['a0']);
    }
    expect(new PopularityRecommender({ halfLifeMs: Infinity }).name).toBe('popularity');
    expect(new PopularityRecommender().name).toBe('popularity-recency');
  });

  it('item-knn recommends within the community', async () => {
    await expectWithinCommunity(new ItemKnnRecommender(), train);
  });

  it('EASE recommends within the community', async () => {
    await expectWithinCommunity(new EaseRecommender(), train);
    // with fewer modelled items than the catalogue, unmodelled items rank after modelled ones
    const small = new EaseRecommender({ maxItems: 4 });
    await small.fit(train, { seed: 1 });
    const scores = new Float32Array(train.numItems);
    small.scoreUser(0, scores);
    expect(scores.every((s) => Number.isFinite(s))).toBe(true);
  });

  it('BPR-MF recommends within the community, deterministically for a seed', async () => {
    await expectWithinCommunity(new BprMfRecommender({ epochs: 100 }), train);
    const one = new BprMfRecommender({ epochs: 3 });
    const two = new BprMfRecommender({ epochs: 3 });
    await one.fit(train, { seed: 7 });
    await two.fit(train, { seed: 7 });
    const s1 = new Float32Array(train.numItems);
    const s2 = new Float32Array(train.numItems);
    one.scoreUser(5, s1);
    two.scoreUser(5, s2);
    expect([...s1]).toEqual([...s2]);
  });

  it('category affinity recommends within the user’s category, and is popularity without content', async () => {
    await expectWithinCommunity(new CategoryAffinityRecommender(), train);
    const bare = new CategoryAffinityRecommender();
    const pop = new PopularityRecommender();
    const noContent = { ...train, content: undefined };
    await bare.fit(noContent, { seed: 1 });
    await pop.fit(noContent, { seed: 1 });
    for (const u of [0, 35]) expect(topFor(bare, noContent, u, 5)).toEqual(topFor(pop, noContent, u, 5));
  });

  it('category affinity scores items nobody has touched by their category', async () => {
    const log = buildInteractionLog([
      { user: 'u', item: 'x1', ts: CUT - DAY, weight: 1 },
      { user: 'v', item: 'y1', ts: CUT - DAY, weight: 5 },
      { user: 'v', item: 'y2', ts: CUT - DAY, weight: 5 },
      { user: 'w', item: 'x-new', ts: CUT + DAY, weight: 1 },
      { user: 'w', item: 'y-new', ts: CUT + DAY, weight: 1 },
    ]);
    const content = log.itemIds.map((id) => [`category:${id[0]}`]);
    // Training is the rows before the cut; the new items are in the vocabulary with content only.
    const rows = [...log.ts.keys()].filter((r) => log.ts[r]! < CUT);
    const train = trainSet(
      {
        ...log,
        user: Int32Array.from(rows, (r) => log.user[r]!),
        item: Int32Array.from(rows, (r) => log.item[r]!),
        ts: Float64Array.from(rows, (r) => log.ts[r]!),
        weight: Float32Array.from(rows, (r) => log.weight[r]!),
      },
      content,
    );
    const rec = new CategoryAffinityRecommender();
    await rec.fit(train, { seed: 1 });
    const scores = new Float32Array(train.numItems);
    rec.scoreUser(log.userIds.indexOf('u'), scores);
    const of = (id: string) => scores[log.itemIds.indexOf(id)]!;
    expect(of('x-new')).toBeGreaterThan(of('y-new'));
  });
});

describe('time-aware baselines', () => {
  const rows: InteractionRow[] = [];
  const add = (item: string, count: number, ageMs: number) => {
    for (let k = 0; k < count; k++) rows.push({ user: `u${rows.length}`, item, ts: CUT - ageMs, weight: 1 });
  };
  add('old-hit', 30, 20 * DAY); // big, long ago
  add('steady', 14, 3 * DAY); // two a day over the baseline week...
  add('steady', 2, 12 * 3_600_000); // ...and two today
  add('rising', 1, 3 * DAY);
  add('rising', 6, 2 * 3_600_000);
  add('sleepy', 1, 2 * DAY);
  const train = trainSet(buildInteractionLog(rows));
  const ranking = async (rec: Recommender) => {
    await rec.fit(train, { seed: 1 });
    return topFor(rec, train, train.numUsers, 5); // a user with no history: nothing masked
  };

  it('plain popularity counts, recency popularity decays with a 7-day half-life', async () => {
    expect(await ranking(new PopularityRecommender({ halfLifeMs: Infinity }))).toEqual([
      'old-hit',
      'steady',
      'rising',
      'sleepy',
    ]);
    // old-hit: 30 · 2^(−20/7) ≈ 4.1; steady ≈ 14 · 0.74 + 2 ≈ 12.4; rising ≈ 0.74 + 6 ≈ 6.7
    expect(await ranking(new PopularityRecommender())).toEqual(['steady', 'rising', 'old-hit', 'sleepy']);
  });

  it('trending ranks by 24h velocity, then everything else by recency popularity', async () => {
    // rising: (6 + 1) / (1/7 + 1) · ln 7 ≈ 11.9; steady: (2 + 1) / (14/7 + 1) · ln 3 ≈ 1.1
    expect(await ranking(new TrendingRecommender())).toEqual(['rising', 'steady', 'old-hit', 'sleepy']);
  });
});

describe('invertSpdInPlace', () => {
  it('inverts a symmetric positive definite matrix (lower triangle in, lower triangle out)', async () => {
    const n = 37;
    let seed = 3;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const m = Array.from({ length: n * n }, rand);
    const full = new Float64Array(n * n); // M Mᵀ + n I
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
        full[i * n + j] = s;
      }
    const a = Float64Array.from(full);
    await invertSpdInPlace(a, n);
    const inv = (i: number, j: number) => (i >= j ? a[i * n + j]! : a[j * n + i]!);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += full[i * n + k]! * inv(k, j);
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
  });
});

describe('ranker registry', () => {
  it('creates every baseline under its own name', () => {
    for (const [name, entry] of RECOMMENDERS) expect(entry.create().name).toBe(name);
    expect([...RECOMMENDERS.keys()]).toEqual(
      expect.arrayContaining([
        'popularity',
        'popularity-recency',
        'trending',
        'item-knn',
        'category-affinity',
        'bpr-mf',
        'ease',
      ]),
    );
  });
});
