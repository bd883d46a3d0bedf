import type { InteractionLog } from '../../models/core/types.js';
import { TwoTowerModel } from '../../models/two-tower/model.js';
import { TEST_NOW } from './fixed-clock.js';

const NOW = TEST_NOW;

/** A tiny two-tower model trained on users u1…u4 over `tickers` (seeded). */
export async function trainedModel(tickers: string[], seed: number): Promise<TwoTowerModel> {
  const rows = 200;
  const log: InteractionLog = {
    userIds: ['u1', 'u2', 'u3', 'u4'],
    itemIds: tickers,
    user: Int32Array.from({ length: rows }, (_, r) => r % 4),
    item: Int32Array.from({ length: rows }, (_, r) => (r * 7) % tickers.length),
    ts: Float64Array.from({ length: rows }, (_, r) => NOW.getTime() - (rows - r) * 60_000),
    weight: new Float32Array(rows).fill(1),
  };
  const model = new TwoTowerModel({ dim: 8, epochs: 1, batchSize: 32, threads: 1 });
  await model.fit({ log, numUsers: 4, numItems: tickers.length, cutoffMs: NOW.getTime() }, { seed });
  return model;
}
