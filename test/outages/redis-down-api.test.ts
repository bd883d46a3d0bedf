import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiMetrics } from '../../src/api/metrics.js';
import { opsRoutes } from '../../src/api/routes/ops.js';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../../src/log/logger.js';
import { composeApi, type ApiComposition } from '../../src/server/api-composition.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';
import { createJobRunner } from '../../jobs/runners/create-runner.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';
import { openTestStore } from '../helpers/store.js';
import { TcpProxy, closedPort } from '../helpers/tcp-proxy.js';

const KEY = 'outage-key';
const auth = { Authorization: `Bearer ${KEY}` };
const upstream = new URL(REDIS_URL);

/** The API composed as `sibyl serve` composes it, with Redis at `redisUrl`. */
async function serveWithRedisAt(redisUrl: string, prefix: string) {
  const store: Store = await openTestStore({ indexes: false });
  await ensureIndexes(store);
  const config = {
    ...loadConfig({ REDIS_URL: redisUrl, SIBYL_QUEUE_PREFIX: prefix, SIBYL_API_KEYS: KEY }),
    SIBYL_EXPERIMENTS_DIR: '/nonexistent-experiments',
  };
  const jobs: JobRunner = await createJobRunner(config, store, silentLogger, 'producer');
  const api: ApiComposition = await composeApi({
    config,
    store,
    logger: silentLogger,
    jobs,
    model: { current: () => undefined },
    experiments: {},
    metrics: new ApiMetrics(false),
    requestLogging: false,
  });
  await api.catalogue.reload();
  return { api, jobs, store };
}

describe('the API while Redis is unreachable', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('starts, answers /readyz with each dependency named, and refuses job triggers with 503 at once', async () => {
    const prefix = testPrefix();
    const { api, jobs, store } = await serveWithRedisAt(`redis://127.0.0.1:${await closedPort()}`, prefix);
    cleanups.push(async () => {
      await api.close();
      await jobs.close();
      await store.close();
    });

    const ready = await request(api.app).get('/readyz');
    // Feeds serve without Redis, so the replica stays in rotation; the queue is named as degraded.
    expect(ready.status).toBe(200);
    expect(ready.body.checks.store).toEqual({ ok: true });
    expect(ready.body.checks.jobs.ok).toBe(true);
    expect(ready.body.checks.jobs.degraded).toMatch(/job queue unreachable/);
    expect(Object.keys(ready.body.checks)).toEqual(
      expect.arrayContaining(['store', 'catalogue', 'jobs', 'feed-snapshots', 'user-changes']),
    );
    expect(ready.body.checks['user-changes'].degraded).toMatch(/not subscribed/);

    const trigger = await request(api.app).post('/v1/jobs/rebuild-features').set(auth).send({});
    expect(trigger.status).toBe(503);
    expect(trigger.body.error.code).toBe('unavailable');
    expect(trigger.body.error.message).toMatch(/job queue/i);
    await request(api.app).get('/v1/users/u1/feed').expect(200);
  });

  it('takes job triggers again once Redis is back', async () => {
    const prefix = testPrefix();
    const proxy = await new TcpProxy({ host: upstream.hostname, port: Number(upstream.port) }).start();
    const url = proxy.url();
    await proxy.cut();
    const { api, jobs, store } = await serveWithRedisAt(url, prefix);
    cleanups.push(async () => {
      await api.close();
      await jobs.close();
      await store.close();
      await proxy.close();
      await dropPrefix(prefix);
    });
    await request(api.app).post('/v1/jobs/rebuild-features').set(auth).send({}).expect(503);

    await proxy.restore();
    // Reconnection is the client's own (backoff); wait until the queue says it is back.
    for (let i = 0; ; i++) {
      const ready = await request(api.app).get('/readyz');
      if (!ready.body.checks.jobs.degraded) break;
      if (i > 200) throw new Error('the queue never came back');
      await new Promise((r) => setTimeout(r, 100));
    }
    const trigger = await request(api.app).post('/v1/jobs/rebuild-features').set(auth).send({});
    expect(trigger.body).toMatchObject({ name: 'rebuild-features' });
    expect(trigger.status).toBe(202);
  });
});

describe('readiness', () => {
  it('reports a check that does not answer as timed out instead of waiting for it', async () => {
    const app = express();
    app.use(
      opsRoutes(new ApiMetrics(false), [
        { name: 'fast', check: async () => undefined },
        { name: 'stuck', check: () => new Promise(() => undefined) },
      ]),
    );
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.fast).toEqual({ ok: true });
    expect(res.body.checks.stuck).toEqual({ ok: false, error: 'no answer within 1000 ms' });
  });
});
