/**
 * Simulator throughput: interactions per second when generating only (the in-run baseline), when
 * also formatting CSV rows, when writing `--out` files, and into the embedded store. Each scenario
 * runs in its own process so wall time and peak RSS are its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, simulateToStore, writeSimulationFiles } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import { fmt, peakRssMb, table } from './harness.js';
import { openEmbeddedStore } from '../src/store/embedded-store.js';

type Mode = 'generate' | 'generate + CSV rows' | '--out files' | 'embedded store';

interface Scenario {
  mode: Mode;
  users: number;
  days: number;
}

interface Measured {
  interactions: number;
  seconds: number;
  peakRssMb: number;
  outputMb: number;
}

const END = new Date('2026-11-22T00:00:00Z');
const CHILD_ENV = 'SIBYL_BENCH_SIMULATE_SCENARIO';

const SCENARIOS: Scenario[] = [
  { mode: 'generate', users: 20_000, days: 14 },
  { mode: 'generate + CSV rows', users: 20_000, days: 14 },
  { mode: '--out files', users: 20_000, days: 14 },
  { mode: 'generate', users: 100_000, days: 14 },
  { mode: '--out files', users: 100_000, days: 14 },
  { mode: 'embedded store', users: 2_000, days: 14 },
];

/** One scenario, in this process. */
async function measure(s: Scenario): Promise<Measured> {
  const start = performance.now();
  const options = { seed: 42, users: s.users, days: s.days, end: END };
  let interactions = 0;
  let outputMb = 0;
  if (s.mode === '--out files') {
    const dir = mkdtempSync(join(tmpdir(), 'sibyl-bench-sim-'));
    try {
      interactions = (await writeSimulationFiles(simulate(options), dir)).interactions;
      outputMb = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 2 ** 20;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (s.mode === 'embedded store') {
    const store = await openEmbeddedStore();
    await ensureIndexes(store);
    interactions = (await simulateToStore(store, options)).counts.interactions;
    await store.close();
  } else {
    for (const day of simulate(options).interactionDays()) {
      if (s.mode === 'generate + CSV rows')
        for (const chunk of day.csvChunks()) outputMb += chunk.length / 2 ** 20;
      interactions += day.count;
    }
  }
  return { interactions, seconds: (performance.now() - start) / 1000, peakRssMb: peakRssMb(), outputMb };
}

/** Runs a scenario in a fresh process (same loader flags), so peak RSS is not the benchmark's own. */
function inChild(s: Scenario): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(s) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${JSON.stringify(s)} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Measured);
    });
  });
}

export default async function bench(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const baseline = new Map<number, number>();
  for (const s of SCENARIOS) {
    const m = await inChild(s);
    const rate = m.interactions / m.seconds;
    if (s.mode === 'generate') baseline.set(s.users, m.seconds);
    const base = baseline.get(s.users);
    rows.push({
      scenario: s.mode,
      users: s.users.toLocaleString('en-US'),
      days: String(s.days),
      interactions: m.interactions.toLocaleString('en-US'),
      'wall s': m.seconds,
      'interactions/s': Math.round(rate).toLocaleString('en-US'),
      'vs generate': s.mode === 'generate' ? '1.00×' : base === undefined ? '' : `${fmt(m.seconds / base)}×`,
      'peak RSS MB': String(Math.round(m.peakRssMb)),
      'output MB': s.mode === 'generate' || s.mode === 'embedded store' ? '' : String(Math.round(m.outputMb)),
    });
  }
  table(
    'Simulator throughput (seed 42, one process per row; "vs generate" = wall time over generation alone)',
    rows,
  );
}

if (process.env[CHILD_ENV]) {
  const result = await measure(JSON.parse(process.env[CHILD_ENV]) as Scenario);
  console.log(JSON.stringify(result));
}
