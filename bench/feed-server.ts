/**
 * The API on the feed benchmark's fixture with a trained two-tower model active, in its own process
 * so the load generator does not share its CPU. No experiment definitions: every feed is ranked by
 * the default ranker (two-tower). Prints one JSON line when listening.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelPipeline } from '../jobs/model-pipeline.js';
import { ModelRegistry } from '../models/registry/registry.js';
import { silentLogger } from '../src/log/logger.js';
import { startBenchApi } from './bench-api.js';
import { feedFixture } from './feed-fixture.js';

const { store, end } = await feedFixture();
const modelsDir = await mkdtemp(path.join(tmpdir(), 'sibyl-bench-models-'));
const registry = new ModelRegistry({ store, modelsDir, logger: silentLogger });
const pipeline = new ModelPipeline({ store, registry, logger: silentLogger, now: () => end });
const trained = await pipeline.train({ chainId: 'bench-feed', hyperparameters: { epochs: 2 } });
await registry.promote(trained.version, { reason: 'feed benchmark' });
const api = await startBenchApi(store, {
  SIBYL_MODELS_DIR: modelsDir,
  SIBYL_EXPERIMENTS_DIR: path.join(modelsDir, 'no-experiments'),
});
console.log(
  JSON.stringify({ url: api.url, rssMb: process.memoryUsage().rss / 2 ** 20, model: trained.version }),
);
process.on('SIGTERM', () => process.exit(0));
