import { describe, expect, it } from 'vitest';
import type { InteractionLog } from '../../models/core/types.js';
import { epochBatches } from '../../models/two-tower/model.js';
import { Rng } from '../../src/util/rng.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const HOUR_MS = 3_600_000;

/** Rows one hour apart; each hour's item is one of the three then live (items drift over time). */
function driftingLog(rows: number): InteractionLog {
  const rng = Rng.of(5, 'batches');
  const item = Int32Array.from({ length: rows }, (_, r) => Math.floor(r / 50) * 3 + rng.int(3));
  const items = Math.max(...item) + 1;
  return {
    userIds: Array.from({ length: rows }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: items }, (_, i) => `m${i}`),
    user: Int32Array.from({ length: rows }, (_, r) => r),
    item,
    ts: Float64Array.from({ length: rows }, (_, r) => TEST_END.getTime() - (rows - r) * HOUR_MS),
    weight: new Float32Array(rows).fill(1),
  };
}

describe('two-tower epoch batches', () => {
  const log = driftingLog(1000);
  const batchSize = 20;

  it('draws each batch from one window of time, so negatives were live with the positive', () => {
    const order = new Int32Array(1000);
    const logQ = new Float32Array(1000);
    const batches = epochBatches(log, batchSize, 3, Rng.of(1, 'epoch'), order, logQ);
    const covered = new Set<number>();
    for (const [start, end] of batches) {
      const rows = [...order.subarray(start, end)];
      rows.forEach((r) => covered.add(r));
      // A window is 3 batches = 60 consecutive rows, so a batch spans less than 60 hours.
      expect(Math.max(...rows) - Math.min(...rows)).toBeLessThan(60);
    }
    expect(covered.size).toBe(1000);
    // Batches are visited out of time order.
    const starts = batches.map(([s]) => s);
    expect(starts).not.toEqual([...starts].sort((a, b) => a - b));
  });

  it("corrects each row by its item's share of its window, not of the whole log", () => {
    const order = new Int32Array(1000);
    const logQ = new Float32Array(1000);
    epochBatches(log, batchSize, 3, Rng.of(1, 'epoch'), order, logQ);
    // An item lives 50 rows; within a window of ≤ 60 rows it is drawn far more often than its
    // share of all 1000 rows (about 1/60), so log Q is well above log(17 / 1000).
    const globalLogQ = Math.log(17 / 1000);
    let above = 0;
    for (let r = 0; r < 1000; r++) if (logQ[r]! > globalLogQ + 1) above++;
    expect(above).toBeGreaterThan(950);
    for (const q of logQ) expect(q).toBeLessThanOrEqual(0);
  });

  it('mixes the whole log in every batch when windows are off', () => {
    const order = new Int32Array(1000);
    const logQ = new Float32Array(1000);
    const batches = epochBatches(log, batchSize, 0, Rng.of(1, 'epoch'), order, logQ);
    const spans = batches.map(([s, e]) => {
      const rows = [...order.subarray(s, e)];
      return Math.max(...rows) - Math.min(...rows);
    });
    expect(Math.min(...spans)).toBeGreaterThan(300);
  });
});
