/**
 * The nightly chain as the worker runs it (sync, feature rebuild, train → evaluate → promote of each
 * kind a served ranker uses, daily report) on `sibyl simulate --seed 7 --users 1000 --days 14` data
 * in `sibyl store` (its own process, as the demo runs it). Each step's time is read from `job_runs`.
 * The in-run baseline is the same chain training the two-tower alone (the chain before EASE and BPR-MF
 * were kinds), on a fresh store and models directory; each chain runs twice, alternating, and the
 * second run of each is reported.
 *
 *   npm run bench -- nightly [--kinds two-tower,ease,bpr-mf]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcessors } from '../jobs/processors.js';
import { DEFAULT_PIPELINE_SETTINGS, ModelPipeline, nightlyKinds } from '../jobs/model-pipeline/index.js';
import { ModelRegistry } from '../models/registry/registry.js';
import { silentLogger } from '../src/log/logger.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import { fmt, table } from './harness.js';
import { startStoreProcess } from './store-process.js';

const END = new Date('2026-12-01T00:00:00Z');

async function chain(kinds: string[]): Promise<{ total: number; steps: Record<string, number> }> {
  const server = await startStoreProcess();
  const modelsDir = await mkdtemp(join(tmpdir(), 'sibyl-bench-nightly-'));
  try {
    const { store } = server;
    await ensureIndexes(store);
    await simulateToStore(store, { seed: 7, users: 1000, days: 14, end: END, now: END });
    const now = () => END;
    const registry = new ModelRegistry({ store, modelsDir, now });
    const models = new ModelPipeline({
      store,
      registry,
      logger: silentLogger,
      now,
      settings: { ...DEFAULT_PIPELINE_SETTINGS, kinds },
    });
    const processors = createProcessors({ store, logger: silentLogger, now, models });
    const started = performance.now();
    await processors.nightly({
      id: 'bench',
      name: 'nightly',
      data: { chainId: 'bench' },
      attempt: 1,
      progress: async () => {},
    });
    const total = (performance.now() - started) / 1000;
    const runs = await store
      .collection('job_runs')
      .find({ chainId: { $regex: '^bench' } }, { sort: { startedAt: 1 } })
      .toArray();
    const steps = Object.fromEntries(
      runs.map((r) => {
        const kind = String(r.chainId).split(':')[1];
        return [kind ? `${r.name}:${kind}` : r.name, Number(r.durationMs) / 1000];
      }),
    );
    return { total, steps };
  } finally {
    await server.stop();
    await rm(modelsDir, { recursive: true, force: true });
  }
}

export default async function bench(): Promise<void> {
  const flag = process.argv.indexOf('--kinds');
  const kinds = flag > 0 ? process.argv[flag + 1]!.split(',') : nightlyKinds(DEFAULT_PIPELINE_SETTINGS);
  // Each chain twice, alternating, and the second of each kept: the first run of the process also
  // pays for compiling every hot loop.
  await chain(['two-tower']);
  await chain(kinds);
  const baseline = await chain(['two-tower']);
  const measured = await chain(kinds);
  const names = [...new Set([...Object.keys(baseline.steps), ...Object.keys(measured.steps)])];
  table(`Nightly chain on seed 7, 1,000 users, 14 days (kinds: ${kinds.join(', ')}), seconds`, [
    ...names.map((name) => ({
      step: name,
      'two-tower only (baseline)': name in baseline.steps ? fmt(baseline.steps[name]!) : '—',
      [kinds.join(' + ')]: name in measured.steps ? fmt(measured.steps[name]!) : '—',
    })),
    {
      step: '**whole chain**',
      'two-tower only (baseline)': fmt(baseline.total),
      [kinds.join(' + ')]: `${fmt(measured.total)} (${fmt(measured.total / baseline.total)}×)`,
    },
  ]);
}
