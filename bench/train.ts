/**
 * Two-tower training throughput: the step at batch 1024, dim 64 on synthetic data with 100k users
 * and 20k markets (the reference shape), and how time per epoch changes with the
 * vocabulary for a fixed number of examples (it must not grow: updates are sparse).
 * Baseline in the same run: the same dense step through tfjs's pure-JS CPU backend.
 * `npm run bench train -- --memory` measures peak RSS over an epoch of 5M interactions instead.
 */
import type { InteractionLog, TrainSet } from '../models/core/types.js';
import { InBatchSoftmaxStep, loadBatch, type StepBatch } from '../models/two-tower/softmax-step.js';
import { KernelPool } from '../models/kernels/kernel-pool.js';
import { TfjsSoftmaxStep } from '../models/two-tower/tfjs-step.js';
import { loadTf } from '../models/two-tower/tfjs-backend.js';
import { TwoTowerModel } from '../models/two-tower/model.js';
import { Rng } from '../src/util/rng.js';
import { DAY_MS } from '../src/util/durations.js';
import { fmt, median, peakRssMb, table, timeRuns } from './harness.js';

/** Zipf-ish popularity over items, uniform users, ~10 content tokens per item. */
export function syntheticTrainSet(users: number, items: number, rows: number, seed = 1): TrainSet {
  const rng = Rng.of(seed, 'bench-train');
  const user = new Int32Array(rows);
  const item = new Int32Array(rows);
  const ts = new Float64Array(rows);
  const weight = new Float32Array(rows).fill(1);
  const start = Date.UTC(2026, 9, 1);
  for (let r = 0; r < rows; r++) {
    user[r] = rng.int(users);
    item[r] = Math.min(items - 1, Math.floor(items * Math.pow(rng.next(), 2.5)));
    ts[r] = start + (r / rows) * 30 * DAY_MS;
  }
  const log: InteractionLog = {
    userIds: Array.from({ length: users }, (_, i) => `u${i}`),
    itemIds: Array.from({ length: items }, (_, i) => `m${i}`),
    user,
    item,
    ts,
    weight,
  };
  const content = Array.from({ length: items }, (_, i) => [
    `category:c${i % 8}`,
    `series:s${i % 400}`,
    ...Array.from({ length: 8 }, (_, k) => `title:w${(i * 7 + k * 13) % 3000}`),
  ]);
  return { log, numUsers: users, numItems: items, cutoffMs: start + 30 * DAY_MS, content };
}

async function stepThroughput(): Promise<void> {
  const B = 1024;
  const d = 64;
  const shape = { maxBatch: B, dim: d, userInputDim: 2 * d, itemInputDim: d, temperature: 0.07 };
  const rng = Rng.of(1, 'bench-step');
  const batch: StepBatch = {
    size: B,
    xu: Float32Array.from({ length: B * 2 * d }, () => rng.normal()),
    xm: Float32Array.from({ length: B * d }, () => rng.normal()),
    item: Int32Array.from({ length: B }, () => rng.int(20_000)),
    logQ: new Float32Array(B).fill(-8),
    weight: new Float32Array(B).fill(1),
  };
  const weights = {
    wu: Float32Array.from({ length: d * 2 * d }, () => rng.normal() * 0.1),
    wm: Float32Array.from({ length: d * d }, () => rng.normal() * 0.1),
  };
  const rowsOut: Record<string, string | number>[] = [];
  const { tf } = await loadTf({ allowNative: false });
  const reference = new TfjsSoftmaxStep(tf, shape);
  loadBatch(reference.batch, batch);
  const baseline = median(await timeRuns(3, () => reference.run(weights), 1));
  rowsOut.push({
    implementation: 'tfjs-cpu (baseline)',
    'median ms/step': baseline,
    'examples/s': (B / baseline) * 1000,
    ratio: '1.00×',
  });
  for (const threads of [1, 2]) {
    const pool = new KernelPool(threads);
    const step = new InBatchSoftmaxStep(shape, pool);
    loadBatch(step.batch, batch);
    const ms = median(await timeRuns(15, () => step.run(weights), 3));
    rowsOut.push({
      implementation: `hand-written (wasm SIMD), ${threads} thread(s)`,
      'median ms/step': ms,
      'examples/s': (B / ms) * 1000,
      ratio: `${fmt(baseline / ms)}×`,
    });
    await pool.close();
  }
  table('Dense step (batch 1024, dim 64): hand-written step vs tfjs CPU backend', rowsOut);
}

async function fitThroughput(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const examples = 400_000;
  for (const [users, items] of [
    [10_000, 2_000],
    [100_000, 20_000],
    [1_000_000, 200_000],
  ] as const) {
    const train = syntheticTrainSet(users, items, examples);
    const model = new TwoTowerModel({ epochs: 1, threads: 2 });
    const t0 = performance.now();
    await model.fit(train, { seed: 1 });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      users,
      markets: items,
      examples,
      'fit s (incl. table init)': seconds,
      'examples/s (fit)': model.lastFit!.examplesPerSecond,
      backend: model.lastFit!.backend,
      'peak RSS MB': peakRssMb(),
    });
  }
  table(
    `Full training step (gather, dense step, sparse Adagrad), ${examples.toLocaleString('en-US')} examples, 1 epoch, batch 1024, dim 64`,
    rows,
  );
}

/** Peak RSS of a full epoch over 5M interactions (100k users, 20k markets). Run alone: RSS is per process. */
async function memoryAt5M(): Promise<void> {
  const rows = Number(process.env.SIBYL_BENCH_TRAIN_ROWS ?? 5_000_000);
  const before = peakRssMb();
  const train = syntheticTrainSet(100_000, 20_000, rows);
  const model = new TwoTowerModel({ epochs: 1 });
  const t0 = performance.now();
  await model.fit(train, { seed: 1 });
  table(`Training memory, ${rows.toLocaleString('en-US')} interactions, 100k users, 20k markets, 1 epoch`, [
    {
      'peak RSS MB': peakRssMb(),
      'peak RSS before data MB': before,
      'epoch s': (performance.now() - t0) / 1000,
      'examples/s': model.lastFit!.examplesPerSecond,
    },
  ]);
}

export default async function main(): Promise<void> {
  if (process.argv.includes('--memory')) return memoryAt5M();
  await stepThroughput();
  await fitThroughput();
}
