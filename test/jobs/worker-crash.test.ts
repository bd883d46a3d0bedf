import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessors } from '../../jobs/processors.js';
import { BullJobRunner } from '../../jobs/runners/bullmq-runner.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { FIXTURE_NOW, seedInteractions } from './fixture.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import type { MongoStore } from '../../src/store/mongo-store.js';

const LATER = new Date(FIXTURE_NOW.getTime() + 3_600_000);

async function seeded(dir?: string): Promise<MongoStore> {
  const store = await openEmbeddedStore(dir ? { dir } : {});
  await ensureIndexes(store);
  await seedInteractions(store);
  await refreshFeatures(store, { mode: 'full', now: FIXTURE_NOW });
  // A second slice, received after the first refresh: what the crashing incremental run folds in.
  const more = Array.from({ length: 60 }, (_, i) => ({
    eventId: `late-${i}`,
    userId: `u${i % 15}`,
    ticker: `M-${(i * 5) % 12}`,
    type: ['click', 'trade', 'watch'][i % 3],
    ts: new Date(FIXTURE_NOW.getTime() + i * 1000),
    receivedAt: new Date(FIXTURE_NOW.getTime() + 60_000),
  }));
  await store.collection('interactions').insertMany(more);
  return store;
}

async function features(store: Store) {
  const pairs = await store
    .collection('user_market_features')
    .find({}, { sort: { userId: 1, ticker: 1 }, projection: { _id: 0 } })
    .toArray();
  const users = await store
    .collection('user_features')
    .find({}, { sort: { userId: 1 }, projection: { _id: 0 } })
    .toArray();
  const markets = await store
    .collection('market_features')
    .find({}, { sort: { ticker: 1 }, projection: { _id: 0 } })
    .toArray();
  return { pairs, users, markets };
}

describe('a worker killed mid-job (real Redis, real BullMQ)', () => {
  let dir: string | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (prefix) await dropPrefix(prefix);
  });

  it('has its job retried to completion, leaving exactly the features of an uninterrupted run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-crash-'));
    prefix = testPrefix();
    const prepared = await seeded(dir);
    await prepared.close();

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'crashing-worker.ts'),
        dir,
        prefix,
        REDIS_URL,
        LATER.toISOString(),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const producer = await BullJobRunner.connect({ redisUrl: REDIS_URL, prefix, logger: silentLogger });
    const { id } = await producer.trigger('refresh-features');
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    expect(exit).toBe('SIGKILL');

    // The crash left a pending run and half-written features behind.
    const store = await openEmbeddedStore({ dir });
    await ensureIndexes(store);
    expect(
      (
        await store
          .collection<{ _id: string; pending?: unknown }>('feature_state')
          .findOne({ _id: 'features' })
      )?.pending,
    ).toBeDefined();

    const survivor = await BullJobRunner.connect({
      redisUrl: REDIS_URL,
      prefix,
      logger: silentLogger,
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
    });
    survivor.startWorkers(createProcessors({ store, logger: silentLogger, now: () => LATER }));
    const deadline = Date.now() + 30_000;
    let status = await producer.status(id);
    while (status?.state !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = await producer.status(id);
    }
    expect(status?.state, JSON.stringify(status)).toBe('completed');
    expect(status?.result, JSON.stringify(status)).toMatchObject({
      mode: 'incremental',
      resumed: true,
      interactions: 60,
    });
    await survivor.close();
    await producer.close();

    const runs = await store
      .collection('job_runs')
      .find({ jobId: id }, { sort: { startedAt: 1 } })
      .toArray();
    expect(runs.map((r) => r.status)).toEqual(['abandoned', 'completed']);
    expect(
      (
        await store
          .collection<{ _id: string; pending?: unknown }>('feature_state')
          .findOne({ _id: 'features' })
      )?.pending,
    ).toBeUndefined();

    const reference = await seeded();
    await refreshFeatures(reference, { mode: 'incremental', now: LATER });
    expect(await features(store)).toEqual(await features(reference));
    await store.close();
  });
});
