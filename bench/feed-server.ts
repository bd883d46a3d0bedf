/**
 * The API on the feed benchmark's fixture with a trained two-tower model active, in its own process
 * so the load generator does not share its CPU. No experiment definitions: every feed is ranked by
 * the default ranker (two-tower). Redis, when reachable, holds feed snapshots and carries user
 * changes, as in a deployment; then the same process also serves the first-page floor
 * (`feed-floor.ts`) on a port of its own. Prints one JSON line when listening.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ModelPipeline } from '../jobs/model-pipeline/index.js';
import { ModelRegistry } from '../models/registry/registry.js';
import { silentLogger } from '../src/log/logger.js';
import { startBenchApi } from './bench-api.js';
import { feedFixture, feedUser } from './feed-fixture.js';
import { startFeedFloor } from './feed-floor.js';

const fixture = await feedFixture();
const { store, end } = fixture;
const modelsDir = await mkdtemp(path.join(tmpdir(), 'sibyl-bench-models-'));
const registry = new ModelRegistry({ store, modelsDir, logger: silentLogger });
const pipeline = new ModelPipeline({ store, registry, logger: silentLogger, now: () => end });
const trained = await pipeline.train({ chainId: 'bench-feed', hyperparameters: { epochs: 2 } });
await registry.promote(trained.version, { reason: 'feed benchmark' });
// As deployed: feed snapshots in Redis and user changes over its pub/sub, when one is reachable.
const redisUrl = process.env.SIBYL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await reachable(redisUrl);
const api = await startBenchApi(store, {
  SIBYL_MODELS_DIR: modelsDir,
  SIBYL_EXPERIMENTS_DIR: path.join(modelsDir, 'no-experiments'),
  ...(redis ? { REDIS_URL: redisUrl, SIBYL_QUEUE_PREFIX: `sibyl-bench-${process.pid}` } : {}),
});
const floor = redis
  ? await startFeedFloor(store, redisUrl, `${api.url}/v1/users/${feedUser(0)}/feed`)
  : undefined;
// The store runs as its own process: stop it with this one.
process.once('SIGTERM', () => {
  void api
    .close()
    .then(() => fixture.stop())
    .finally(() => process.exit(0));
});
console.log(
  JSON.stringify({
    url: api.url,
    floorUrl: floor?.url ?? null,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    model: trained.version,
    redis,
  }),
);

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
process.on('SIGTERM', () => process.exit(0));
