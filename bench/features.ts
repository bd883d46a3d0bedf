/**
 * Feature pipelines on `sibyl store` (its own process, journaled, as the demo runs it): full rebuild
 * at two data sizes (time, peak RSS, how time grows), and an incremental refresh of 10k new
 * interactions on top, against the full rebuild of the same data as the in-run baseline. While the
 * full rebuild runs, a client reads interactions by their indexed `eventId` every 10 ms: its
 * latencies against the same reads on the idle store show whether the rebuild holds other clients
 * up. The embedded store's speed is not a goal (MongoDB runs these pipelines at scale); this shows
 * the demo and test sizes stay workable.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { refreshFeatures } from '../src/features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../src/features/feature-config.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import type { Document } from '../src/store/types.js';
import { peakRssMb, table } from './harness.js';
import type { Store } from '../src/store/types.js';
import { percentile } from './harness.js';
import { startStoreProcess } from './store-process.js';

const CHILD_ENV = 'SIBYL_BENCH_FEATURES_USERS';
const SIZES = [4_300, 17_000];
const INCREMENT = 10_000;
const END = new Date('2026-11-22T00:00:00Z');
const config = { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 };

interface Measured {
  users: number;
  interactions: number;
  loadSeconds: number;
  fullSeconds: number;
  incrementalSeconds: number;
  pairs: number;
  peakRssMb: number;
  storePeakRssMb: number;
  idleReads: number[];
  duringRebuildReads: number[];
}

/** Indexed point reads every 10 ms until `until` settles: each one's latency in ms. */
async function pointReads(store: Store, ids: string[], until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  const coll = store.collection('interactions');
  for (let i = 0; !done; i++) {
    const t0 = performance.now();
    const doc = await coll.findOne({ eventId: ids[i % ids.length]! }, { projection: { _id: 0, userId: 1 } });
    if (!doc) throw new Error('point read found nothing');
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

async function measure(users: number): Promise<Measured> {
  const server = await startStoreProcess();
  const { store } = server;
  await ensureIndexes(store);
  const received = new Date(END.getTime() + 3_600_000);
  let t = performance.now();
  const sim = await simulateToStore(store, { seed: 3, users, days: 14, end: END, now: received });
  const loadSeconds = (performance.now() - t) / 1000;

  const ids = (
    await store
      .collection('interactions')
      .aggregate<{ eventId: string }>([{ $sample: { size: 1_000 } }, { $project: { _id: 0, eventId: 1 } }])
      .toArray()
  ).map((d) => d.eventId);
  const idleReads = await pointReads(store, ids, new Promise((r) => setTimeout(r, 5_000)));

  t = performance.now();
  const rebuild = refreshFeatures(store, { mode: 'full', now: new Date(received.getTime() + 1), config });
  const duringRebuildReads = await pointReads(store, ids, rebuild);
  const full = await rebuild;
  const fullSeconds = (performance.now() - t) / 1000;

  // 10k more interactions, received after the refresh: copies of recent ones with new ids.
  const later = new Date(received.getTime() + 60_000);
  const recent = await store
    .collection('interactions')
    .find({}, { sort: { ts: -1 }, limit: INCREMENT, projection: { _id: 0 } })
    .toArray();
  await store.collection('interactions').insertMany(
    recent.map((d: Document, i) => ({
      ...d,
      eventId: `bench-inc-${i}`,
      ts: new Date(d.ts.getTime() + 1),
      receivedAt: later,
    })),
  );
  t = performance.now();
  await refreshFeatures(store, { mode: 'incremental', now: new Date(later.getTime() + 1), config });
  const incrementalSeconds = (performance.now() - t) / 1000;
  const storePeakRssMb = server.peakRssMb();
  await server.stop();
  return {
    users,
    interactions: sim.counts.interactions,
    loadSeconds,
    fullSeconds,
    incrementalSeconds,
    pairs: full.pairs,
    peakRssMb: peakRssMb(),
    storePeakRssMb,
    idleReads,
    duringRebuildReads,
  };
}

function inChild(users: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_ENV]: String(users) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Measured) : reject(new Error(`exit ${code}`)),
    );
  });
}

export default async function run(): Promise<void> {
  const results: Measured[] = [];
  for (const users of SIZES) results.push(await inChild(users));
  const [small, large] = results as [Measured, Measured];
  const dataRatio = large.interactions / small.interactions;
  table(
    'Feature pipelines, embedded store (full rebuild = user×market, user, market features and neighbours)',
    [
      ...results.map((r) => ({
        interactions: r.interactions,
        'user×market pairs': r.pairs,
        'load s (simulate --to-store)': r.loadSeconds,
        'full rebuild s': r.fullSeconds,
        [`incremental +${INCREMENT / 1000}k s`]: r.incrementalSeconds,
        'incremental / full': `${((r.incrementalSeconds / r.fullSeconds) * 100).toFixed(1)}%`,
        'peak RSS MB, store': r.storePeakRssMb,
        'peak RSS MB, client': r.peakRssMb,
      })),
    ],
  );
  table(
    'Point reads by indexed eventId (findOne every 10 ms), idle store (baseline) vs during the full rebuild',
    results.flatMap((r) =>
      (
        [
          ['idle (baseline)', r.idleReads],
          ['during full rebuild', r.duringRebuildReads],
        ] as const
      ).map(([when, xs]) => ({
        interactions: r.interactions,
        when,
        n: xs.length,
        'p50 ms': percentile(xs, 50),
        'p99 ms': percentile(xs, 99),
        'max ms': Math.max(...xs),
        'p99 vs idle': `${(percentile(xs, 99) / percentile(r.idleReads, 99)).toFixed(2)}×`,
      })),
    ),
  );
  console.log(
    `\nData ×${dataRatio.toFixed(2)} → full rebuild time ×${(large.fullSeconds / small.fullSeconds).toFixed(2)} (linear would be ×${dataRatio.toFixed(2)}).`,
  );
}

if (process.env[CHILD_ENV]) {
  process.stdout.write(JSON.stringify(await measure(Number(process.env[CHILD_ENV]))));
}
