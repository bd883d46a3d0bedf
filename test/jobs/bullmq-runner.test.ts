import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProcessors } from '../../jobs/processors.js';
import { BullJobRunner } from '../../jobs/runners/bullmq-runner.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { FIXTURE_NOW, seedInteractions } from './fixture.js';
import { openTestStore } from '../helpers/store.js';
import type { MongoStore } from '../../src/store/mongo-store.js';

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('BullMQ runner (real Redis)', () => {
  let prefix: string;
  let store: MongoStore;
  let runner: BullJobRunner;

  beforeEach(async () => {
    prefix = testPrefix();
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await seedInteractions(store);
    runner = await BullJobRunner.connect({
      redisUrl: REDIS_URL,
      prefix,
      logger: silentLogger,
      backoffBaseMs: 50,
    });
  });
  afterEach(async () => {
    await runner.close();
    await dropPrefix(prefix);
  });

  const finished = (id: string) =>
    until(async () => {
      const s = await runner.status(id);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
    }, `job ${id}`);

  it('runs a feature rebuild, reports progress and result, and records the run', async () => {
    runner.startWorkers(createProcessors({ store, logger: silentLogger, now: () => FIXTURE_NOW }));
    const { id } = await runner.trigger('rebuild-features');
    const status = await finished(id);
    expect(status).toMatchObject({ state: 'completed', name: 'rebuild-features', attemptsMade: 1 });
    expect(status.progress).toEqual({ done: 1, stage: 'done' });
    expect(status.result).toMatchObject({ mode: 'full', interactions: 320 });
    expect(await store.collection('user_features').countDocuments()).toBe(40);
    const runs = await store.collection('job_runs').find({ name: 'rebuild-features' }).toArray();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', jobId: id, attempt: 1 });
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('runs two concurrent triggers of the same rebuild once', async () => {
    const [a, b] = await Promise.all([
      runner.trigger('rebuild-features'),
      runner.trigger('rebuild-features'),
    ]);
    expect(a.id).toBe(b.id);
    expect([a.deduplicated, b.deduplicated].filter(Boolean)).toHaveLength(1);
    runner.startWorkers(createProcessors({ store, logger: silentLogger, now: () => FIXTURE_NOW }));
    await finished(a.id);
    expect(await store.collection('job_runs').countDocuments({ name: 'rebuild-features' })).toBe(1);
    // Once it has finished, a new trigger is a new run.
    const c = await runner.trigger('rebuild-features');
    expect(c.id).not.toBe(a.id);
    await finished(c.id);
    expect(await store.collection('job_runs').countDocuments({ name: 'rebuild-features' })).toBe(2);
  });

  it('queues a trigger with another payload as its own job, and joins one with the same payload', async () => {
    // Key order aside, the same payload: the same job.
    const [a, b, c] = await Promise.all([
      runner.trigger('train', { kind: 'two-tower', windowDays: 10 }),
      runner.trigger('train', { windowDays: 10, kind: 'two-tower' }),
      runner.trigger('train', { kind: 'two-tower', windowDays: 20 }),
    ]);
    expect(a.id).toBe(b.id);
    expect([a.deduplicated, b.deduplicated].filter(Boolean)).toHaveLength(1);
    expect(c.deduplicated).toBe(false);
    expect(c.id).not.toBe(a.id);
    const windows: unknown[] = [];
    runner.startWorkers({
      ...createProcessors({ store, logger: silentLogger, now: () => FIXTURE_NOW }),
      train: async (ctx) => {
        windows.push((ctx.data as { windowDays: number }).windowDays);
        return 'trained';
      },
    });
    await finished(a.id);
    await finished(c.id);
    expect(windows.sort()).toEqual([10, 20]);
  });

  it('fails bad input at once, without retrying', async () => {
    runner.startWorkers(createProcessors({ store, logger: silentLogger, now: () => FIXTURE_NOW }));
    const { id } = await runner.trigger('refresh-features', { bogus: true } as never);
    const status = await finished(id);
    expect(status.state).toBe('failed');
    expect(status.attemptsMade).toBe(1);
    expect(status.error).toMatch(/bad payload/);
  });

  it('retries a failing job with backoff and records every attempt', async () => {
    let calls = 0;
    const processors = createProcessors({ store, logger: silentLogger, now: () => FIXTURE_NOW });
    const flaky = {
      ...processors,
      'sync-markets': async (ctx: Parameters<(typeof processors)['sync-markets']>[0]) => {
        calls++;
        if (calls < 3) throw new Error(`transient failure ${calls}`);
        return processors['sync-markets'](ctx);
      },
    };
    runner.startWorkers(flaky);
    const { id } = await runner.trigger('sync-markets');
    const status = await finished(id);
    expect(status).toMatchObject({ state: 'completed', attemptsMade: 3 });
    // The two failures threw before the recorded processor ran; the third attempt is recorded.
    expect(
      await store.collection('job_runs').countDocuments({ name: 'sync-markets', status: 'completed' }),
    ).toBe(1);
  });
});
