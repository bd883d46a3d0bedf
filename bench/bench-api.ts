import { createProcessors } from '../jobs/processors.js';
import { InProcessJobRunner } from '../jobs/runners/in-process-runner.js';
import { loadConfig, type Config } from '../src/config/env.js';
import { silentLogger } from '../src/log/logger.js';
import { startApi, type ApiServer } from '../src/server/api-server.js';
import type { Store } from '../src/store/types.js';

export const BENCH_KEY = 'bench';

/** The real API on `store`, on a free loopback port, without request logs; `close` stops it and its jobs. */
export async function startBenchApi(store: Store, overrides: Partial<Config> = {}): Promise<ApiServer> {
  const config = { ...loadConfig({}), SIBYL_API_KEYS: [BENCH_KEY], ...overrides };
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
  return {
    ...api,
    close: async () => {
      await api.close();
      await jobs.close();
    },
  };
}
