import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config/env.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { startApi } from '../../server/api-server.js';
import { onShutdown } from '../../server/shutdown.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/types.js';
import { createJobRunner, type RunnerRole } from '../../../jobs/runners/create-runner.js';
import type { JobRunner } from '../../../jobs/job-types.js';

/**
 * Starts the API on an open store and stops everything cleanly on SIGTERM/SIGINT: stop accepting
 * requests, finish in-flight ones, let running jobs finish, then flush and close the store.
 */
export async function serveUntilSignalled(
  config: Config,
  store: Store,
  logger: Logger,
  role: RunnerRole = 'producer',
): Promise<{ url: string; jobs: JobRunner }> {
  if (config.SIBYL_API_KEYS.length === 0) {
    logger.warn('SIBYL_API_KEYS is empty: write endpoints will answer 401');
  }
  const jobs = await createJobRunner(config, store, logger, role);
  const api = await startApi({ config, store, logger, jobs });
  onShutdown(logger, async () => {
    await api.close();
    await jobs.close();
    await store.close();
  });
  logger.info(
    { url: api.url, ...(api.probeUrl ? { probeUrl: api.probeUrl } : {}), store: store.describe() },
    'API listening',
  );
  return { url: api.url, jobs };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API (needs MONGODB_URI, or --embedded)')
    .option('--embedded', 'use the embedded store under SIBYL_DATA_DIR when MONGODB_URI is unset', false)
    .action(async (opts: { embedded: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL);
      const store = await openStore(config, { allowEmbedded: opts.embedded });
      await serveUntilSignalled(config, store, logger);
    });
}
