import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiMetrics } from '../../src/api/metrics.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { silentLogger } from '../../src/log/logger.js';
import { composeApi, type ApiComposition } from '../../src/server/api-composition.js';
import { NoQueueJobRunner } from '../../jobs/runners/no-queue-runner.js';
import { API_KEY, auth, makeTestApi } from '../helpers/api.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';
import { openTestStore } from '../helpers/store.js';
import { closedPort } from '../helpers/tcp-proxy.js';

const wrong = { Authorization: 'Bearer not-the-key' };
const write = (app: ApiComposition['app'], headers: Record<string, string>) =>
  request(app).post('/v1/interactions').set(headers).send({ interactions: [] });

/** An API replica composed as `sibyl serve` composes it, with Redis at `redisUrl`. */
async function replica(redisUrl: string, overrides: Partial<Config>) {
  const store = await openTestStore();
  const config = {
    ...loadConfig({ REDIS_URL: redisUrl, SIBYL_API_KEYS: API_KEY }),
    SIBYL_EXPERIMENTS_DIR: '/nonexistent-experiments',
    FEED_USER_CACHE_SECONDS: 0,
    ...overrides,
  };
  const api = await composeApi({
    config,
    store,
    logger: silentLogger,
    jobs: new NoQueueJobRunner(),
    model: { current: () => undefined },
    experiments: {},
    metrics: new ApiMetrics(false),
    requestLogging: false,
  });
  return {
    app: api.app,
    close: async () => {
      await api.close();
      await store.close();
    },
  };
}

describe('rate limits', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('refuses an address that keeps sending wrong keys with 429 and Retry-After, even with the right key', async () => {
    const t = await makeTestApi({ config: { SIBYL_RATE_LIMIT_FAILED_AUTH: 3 } });
    for (let i = 0; i < 3; i++) expect((await write(t.app, wrong)).status).toBe(401);
    const limited = await write(t.app, wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 'failed_auth' } });
    // A guess that happens to be right no longer gets in from there.
    expect((await write(t.app, auth)).status).toBe(429);
    // Reads without a key are not behind the key check at all.
    expect((await request(t.app).get('/v1/users/u1/feed')).status).toBe(200);
  });

  it('counts writes per API key and per address', async () => {
    const t = await makeTestApi({
      config: {
        SIBYL_API_KEYS: [API_KEY, 'second-key'],
        SIBYL_RATE_LIMIT_WRITES_PER_KEY: 2,
        SIBYL_RATE_LIMIT_WRITES_PER_ADDRESS: 3,
      },
    });
    expect((await write(t.app, auth)).status).not.toBe(429);
    expect((await write(t.app, auth)).status).not.toBe(429);
    const perKey = await write(t.app, auth);
    expect(perKey.status).toBe(429);
    expect(perKey.body.error.details.limit).toBe('writes_per_key');
    // Reads with the key are not writes.
    expect((await request(t.app).get('/v1/job-runs').set(auth)).status).toBe(200);
    // Another key has its own budget, but the address's is shared (3 a minute).
    const second = { Authorization: 'Bearer second-key' };
    expect((await write(t.app, second)).status).not.toBe(429);
    const perAddress = await write(t.app, second);
    expect(perAddress.status).toBe(429);
    expect(perAddress.body.error.details.limit).toBe('writes_per_address');
  });

  it('shares the counters between replicas through Redis', async () => {
    const prefix = testPrefix();
    const settings = { SIBYL_QUEUE_PREFIX: prefix, SIBYL_RATE_LIMIT_FAILED_AUTH: 3 };
    const a = await replica(REDIS_URL, settings);
    const b = await replica(REDIS_URL, settings);
    cleanups.push(a.close, b.close, () => dropPrefix(prefix));
    expect((await write(a.app, wrong)).status).toBe(401);
    expect((await write(a.app, wrong)).status).toBe(401);
    expect((await write(b.app, wrong)).status).toBe(401);
    expect((await write(b.app, wrong)).status).toBe(429);
    expect((await write(a.app, wrong)).status).toBe(429);
  });

  it('keeps limiting in each replica while Redis is unreachable', async () => {
    const down = await replica(`redis://127.0.0.1:${await closedPort()}`, {
      SIBYL_QUEUE_PREFIX: testPrefix(),
      SIBYL_RATE_LIMIT_FAILED_AUTH: 3,
    });
    cleanups.push(down.close);
    for (let i = 0; i < 3; i++) expect((await write(down.app, wrong)).status).toBe(401);
    expect((await write(down.app, wrong)).status).toBe(429);
  });
});
