/** The API on the feed benchmark's fixture, in its own process so the load generator does not share its CPU. */
import { createProcessors } from '../jobs/processors.js';
import { InProcessJobRunner } from '../jobs/runners/in-process-runner.js';
import { loadConfig } from '../src/config/env.js';
import { silentLogger } from '../src/log/logger.js';
import { startApi } from '../src/server/api-server.js';
import { feedFixture } from './feed-fixture.js';

const { store } = await feedFixture();
const config = { ...loadConfig({}), SIBYL_API_KEYS: ['bench'] };
const jobs = new InProcessJobRunner(createProcessors({ store, logger: silentLogger }), silentLogger);
const api = await startApi({
  config,
  store,
  logger: silentLogger,
  jobs,
  port: 0,
  host: '127.0.0.1',
  requestLogging: false,
});
console.log(JSON.stringify({ url: api.url, rssMb: process.memoryUsage().rss / 2 ** 20 }));
process.on('SIGTERM', () => process.exit(0));
