import { NoQueueJobRunner } from '../jobs/runners/no-queue-runner.js';
import { loadConfig, type Config } from '../src/config/env.js';
import { silentLogger } from '../src/log/logger.js';
import { startApi, type ApiServer } from '../src/server/api-server.js';
import type { Store } from '../src/store/types.js';

export const BENCH_KEY = 'bench';

/**
 * The real API on `store` as `sibyl serve` composes it, on a free loopback port, without request
 * logs. It hands no jobs to anyone (benchmarks trigger none), as an API without a queue.
 */
export async function startBenchApi(store: Store, overrides: Partial<Config> = {}): Promise<ApiServer> {
  // Benchmarks measure throughput: the limits that protect a deployment from one client are off.
  const config = {
    ...loadConfig({}),
    SIBYL_API_KEYS: [BENCH_KEY],
    SIBYL_MAX_IN_FLIGHT: 0,
    SIBYL_RATE_LIMIT_WRITES_PER_KEY: 0,
    SIBYL_RATE_LIMIT_WRITES_PER_ADDRESS: 0,
    ...overrides,
  };
  return startApi({
    config,
    store,
    logger: silentLogger,
    jobs: new NoQueueJobRunner(),
    port: 0,
    host: '127.0.0.1',
    requestLogging: false,
  });
}
