/**
 * Feature pipelines on the embedded store: full rebuild at two data sizes (time, peak RSS, how time
 * grows), and an incremental refresh of 10k new interactions on top of the larger one, against the
 * full rebuild of the same data as the in-run baseline. Each size runs in its own process so peak
 * RSS is its own. The embedded store's speed is not a goal (MongoDB runs these pipelines at scale);
 * this shows the demo and test sizes stay workable.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { refreshFeatures } from '../src/features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../src/features/feature-config.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import type { Document } from '../src/store/types.js';
import { peakRssMb, table } from './harness.js';
import { openEmbeddedStore } from '../src/store/embedded-store.js';

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
}

async function measure(users: number): Promise<Measured> {
  const store = await openEmbeddedStore();
  await ensureIndexes(store);
  const received = new Date(END.getTime() + 3_600_000);
  let t = performance.now();
  const sim = await simulateToStore(store, { seed: 3, users, days: 14, end: END, now: received });
  const loadSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const full = await refreshFeatures(store, { mode: 'full', now: new Date(received.getTime() + 1), config });
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
  return {
    users,
    interactions: sim.counts.interactions,
    loadSeconds,
    fullSeconds,
    incrementalSeconds,
    pairs: full.pairs,
    peakRssMb: peakRssMb(),
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
        'peak RSS MB': r.peakRssMb,
      })),
    ],
  );
  console.log(
    `\nData ×${dataRatio.toFixed(2)} → full rebuild time ×${(large.fullSeconds / small.fullSeconds).toFixed(2)} (linear would be ×${dataRatio.toFixed(2)}).`,
  );
}

if (process.env[CHILD_ENV]) {
  process.stdout.write(JSON.stringify(await measure(Number(process.env[CHILD_ENV]))));
}
