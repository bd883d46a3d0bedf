import { describe, expect, it } from 'vitest';
import type { TrainSet } from '../../models/core/types.js';
import { validationFolds } from '../../src/feed/offline/blend-fit.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';

const HOUR_MS = 3_600_000;

/** 10 days of hourly rows: each hour one of 24 users, on day d user u takes item (u + d) mod 24. */
function hourlyWindow(): TrainSet {
  const rows = 240;
  const start = TEST_END.getTime() - 10 * DAY_MS;
  return {
    log: {
      userIds: Array.from({ length: 24 }, (_, u) => `u${u}`),
      itemIds: Array.from({ length: 24 }, (_, i) => `m${i}`),
      user: Int32Array.from({ length: rows }, (_, r) => r % 24),
      item: Int32Array.from({ length: rows }, (_, r) => ((r % 24) + Math.floor(r / 24)) % 24),
      ts: Float64Array.from({ length: rows }, (_, r) => start + r * HOUR_MS),
      weight: new Float32Array(rows).fill(1),
    },
    numUsers: 24,
    numItems: 24,
    cutoffMs: start + rows * HOUR_MS,
  };
}

describe('blend validation folds', () => {
  const train = hourlyWindow();
  const cut = train.cutoffMs;

  it('are periods as long as the horizon, ending at the cut, earliest first', () => {
    const folds = validationFolds(train, { horizonMs: DAY_MS });
    expect(folds.map((f) => [f.train.cutoffMs, f.info.testRows])).toEqual([
      [cut - 3 * DAY_MS, 24],
      [cut - 2 * DAY_MS, 24],
      [cut - DAY_MS, 24],
    ]);
    // Each is judged on its own day only: its rows end where the next fold's start.
    expect(Date.parse(folds[0]!.info.testEnd!)).toBeLessThan(cut - 2 * DAY_MS);
  });

  it('leave 40% of the window before the earliest', () => {
    // Three 2.5-day periods would start 7.5 days back, leaving 25% of the rows before them.
    const folds = validationFolds(train, { horizonMs: 2.5 * DAY_MS });
    expect(folds.map((f) => f.train.cutoffMs)).toEqual([cut - 5 * DAY_MS, cut - 2.5 * DAY_MS]);
  });

  it('hold out each user’s last training row under leave-last-out', () => {
    const [fold] = validationFolds({ ...train, target: 'each-users-last' }, { horizonMs: DAY_MS });
    expect(fold!.info.kind).toBe('leave-last-out');
    expect(fold!.info.testRows).toBe(24);
    expect([...fold!.test.item].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('cover the latest 15% of the rows without a horizon', () => {
    const [fold] = validationFolds(train, {});
    expect(fold!.info.testRows).toBe(36);
    expect(fold!.train.cutoffMs).toBe(cut - 36 * HOUR_MS);
  });
});
