import { describe, expect, it } from 'vitest';
import type { InteractionLog } from '../../models/core/types.js';
import { buildInteractionLog } from '../../models/data/interaction-log.js';
import {
  coldStartSplit,
  dedupeSorted,
  leaveLastOutSplit,
  stableArgsort,
  temporalSplit,
  testHorizonMs,
} from '../../models/eval/split.js';

type Row = [user: string, item: string, ts: number, weight?: number];

const BASE: Row[] = [
  ['a', 'i1', 10, 1],
  ['a', 'i1', 50, 2], // duplicate pair: kept at ts 10 with weight 3
  ['a', 'i2', 20],
  ['b', 'i1', 20],
  ['b', 'i3', 30],
  ['c', 'i2', 40],
  ['a', 'i3', 60],
  ['b', 'i4', 60], // i4 first seen at the cut
  ['d', 'i1', 70], // d first seen after the cut
  ['c', 'i1', 80],
];

function logOf(rows: Row[]): InteractionLog {
  return buildInteractionLog(
    rows.map(([user, item, ts, weight]) => ({ user, item, ts, weight: weight ?? 1 })),
  );
}

/** Rows as [user, item, ts, weight] with ids, for readable expectations. */
function named(log: InteractionLog): Row[] {
  return [...log.user].map((u, r) => [
    log.userIds[u]!,
    log.itemIds[log.item[r]!]!,
    log.ts[r]!,
    log.weight[r]!,
  ]);
}

function pairs(log: InteractionLog, test: { user: Int32Array; item: Int32Array }): string[] {
  return [...test.user].map((u, k) => `${log.userIds[u]}:${log.itemIds[test.item[k]!]}`);
}

describe('dedupeSorted', () => {
  it('keeps each pair once at its earliest time with summed weight, sorted by time, user, item', () => {
    expect(named(dedupeSorted(logOf(BASE)))).toEqual([
      ['a', 'i1', 10, 3],
      ['a', 'i2', 20, 1],
      ['b', 'i1', 20, 1],
      ['b', 'i3', 30, 1],
      ['c', 'i2', 40, 1],
      ['a', 'i3', 60, 1],
      ['b', 'i4', 60, 1],
      ['d', 'i1', 70, 1],
      ['c', 'i1', 80, 1],
    ]);
  });

  it('argsorts stably', () => {
    expect([...stableArgsort(Float64Array.from([3, 1, 2, 1, 3, -5]))]).toEqual([5, 1, 3, 2, 0, 4]);
    expect([...stableArgsort(Float64Array.from([0.5, -0, 0, -Infinity, Infinity, -1.5, 0.5]))]).toEqual([
      3, 5, 1, 2, 0, 6, 4,
    ]);
    const big = Float64Array.from({ length: 70_000 }, (_, k) => 1.7e12 + ((k * 7919) % 65_537) * 1000.25);
    const order = stableArgsort(big);
    for (let k = 1; k < big.length; k++) {
      const [a, b] = [order[k - 1]!, order[k]!];
      expect(big[a]! < big[b]! || (big[a] === big[b] && a < b)).toBe(true);
    }
  });
});

describe('temporalSplit', () => {
  it('cuts at ts[floor((1 − f)·n)], trains strictly before it and drops unseen users and items', () => {
    const log = logOf(BASE);
    // n = 9 pairs, floor(0.6 · 9) = 5 → cut = ts[5] = 60
    const split = temporalSplit(log, { testFraction: 0.4 });
    expect(named(split.train.log)).toEqual([
      ['a', 'i1', 10, 3],
      ['a', 'i2', 20, 1],
      ['b', 'i1', 20, 1],
      ['b', 'i3', 30, 1],
      ['c', 'i2', 40, 1],
    ]);
    expect(pairs(log, split.test)).toEqual(['a:i3', 'c:i1']); // b:i4 (item) and d:i1 (user) dropped
    expect(split.train).toMatchObject({ numUsers: 4, numItems: 4, cutoffMs: 60 });
    expect(split.train.content).toBeUndefined();
    expect(testHorizonMs(split.info)).toBe(20);
    expect(split.info).toEqual({
      kind: 'temporal',
      testFraction: 0.4,
      cutoff: new Date(60).toISOString(),
      // The latest held-out row kept (c:i1 at 80): the test period runs from 60 to 80.
      testEnd: new Date(80).toISOString(),
      inputRows: 10,
      pairs: 9,
      trainRows: 5,
      testRows: 2,
      droppedTestRows: 2,
      users: 4,
      items: 4,
      trainItems: 3,
      evaluatedUsers: 2,
    });
  });

  it('puts rows at the cut timestamp in test, even when the cut index is not the first of them', () => {
    // floor(0.3 · 9) = 2 → cut = ts[2] = 20, shared by rows 1 and 2: both are test rows.
    const split = temporalSplit(logOf(BASE), { testFraction: 0.7 });
    expect(split.train.cutoffMs).toBe(20);
    expect(named(split.train.log)).toEqual([['a', 'i1', 10, 3]]);
    // Only user a and item i1 are in training.
    expect(pairs(split.train.log, split.test)).toEqual([]);
    expect(split.info).toMatchObject({ trainRows: 1, testRows: 0, droppedTestRows: 8, evaluatedUsers: 0 });
  });

  it('clamps the cut index and passes content through', () => {
    const content = [['category:x'], [], [], []];
    const split = temporalSplit(logOf(BASE), { testFraction: 0.01, content });
    // floor(0.99 · 9) = 8 → the last row
    expect(split.train.cutoffMs).toBe(80);
    expect(split.info).toMatchObject({ trainRows: 8, testRows: 1, droppedTestRows: 0 });
    expect(split.train.content).toBe(content);
    expect(() => temporalSplit(logOf(BASE), { testFraction: 1 })).toThrow(/testFraction/);
    expect(() => temporalSplit(logOf([]), { testFraction: 0.2 })).toThrow(/no interactions/);
  });
});

describe('leaveLastOutSplit', () => {
  it("holds out each multi-row user's last pair, ties to the larger item, dropping untrained items", () => {
    const log = logOf([...BASE, ['e', 'i2', 90], ['e', 'i1', 90]]);
    const split = leaveLastOutSplit(log);
    // a: i3 (60); b: i4 (60) dropped, i4 has no training row; c: i1 (80); d: one row, all train;
    // e: i1 and i2 both at 90, the larger index (i2) is the test item.
    expect(pairs(log, split.test)).toEqual(['a:i3', 'c:i1', 'e:i2']);
    expect(named(split.train.log)).toEqual([
      ['a', 'i1', 10, 3],
      ['a', 'i2', 20, 1],
      ['b', 'i1', 20, 1],
      ['b', 'i3', 30, 1],
      ['c', 'i2', 40, 1],
      ['d', 'i1', 70, 1],
      ['e', 'i1', 90, 1],
    ]);
    expect(split.train.cutoffMs).toBe(91);
    expect(split.info).toMatchObject({
      kind: 'leave-last-out',
      trainRows: 7,
      testRows: 3,
      droppedTestRows: 1,
      users: 5,
      items: 4,
      trainItems: 3,
      evaluatedUsers: 3,
    });
    expect(split.info.testFraction).toBeUndefined();
  });
});

describe('coldStartSplit', () => {
  it('tests trained users on items first seen at or after the cut; the candidates are those items', () => {
    const log = logOf([...BASE, ['d', 'i5', 75], ['a', 'i5', 76]]);
    // 11 pairs, floor(0.6 · 11) = 6 → cut = ts[6] = 60 (rows: ..., c:i2 40, a:i3 60, b:i4 60, ...)
    const split = coldStartSplit(log, { testFraction: 0.4 });
    expect(split.train.cutoffMs).toBe(60);
    expect(pairs(log, split.test)).toEqual(['b:i4', 'a:i5']); // d:i5 dropped (d untrained)
    expect([...split.candidates!].map((i) => log.itemIds[i])).toEqual(['i4', 'i5']);
    expect(split.info).toMatchObject({
      kind: 'cold-start',
      trainRows: 5,
      testRows: 2,
      droppedTestRows: 1,
      newItems: 2,
      trainItems: 3,
      evaluatedUsers: 2,
    });
  });
});
