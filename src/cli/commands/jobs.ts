import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { refreshFeatures } from '../../features/refresh.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { openStore } from '../../store/open-store.js';
import { onShutdown } from '../../server/shutdown.js';
import { startWorker } from '../../server/worker.js';
import { JOB_NAMES, isJobName } from '../../../jobs/job-types.js';
import { withStore } from '../context.js';
import { UsageError } from '../errors.js';

export function registerJobCommands(program: Command): void {
  program
    .command('features')
    .description('Build the feature collections once, in this process (incremental unless --full)')
    .option('--full', 'rebuild everything instead of folding in new interactions', false)
    .action(async (opts: { full: boolean }) => {
      // Like simulate and import, a one-off step: the embedded store under SIBYL_DATA_DIR unless MONGODB_URI is set.
      await withStore({ embedded: true }, async ({ store, logger }) => {
        const bar = new SingleBar(
          { format: 'features |{bar}| {percentage}% {stage}', hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(100, 0, { stage: '' });
        try {
          const result = await refreshFeatures(store, {
            mode: opts.full ? 'full' : 'incremental',
            onProgress: (done, stage) => bar.update(Math.round(done * 100), { stage }),
          });
          bar.stop();
          logger.info({ result }, 'features built');
          console.log(JSON.stringify(result, null, 2));
        } catch (err) {
          bar.stop();
          throw err;
        }
      });
    });

  program
    .command('worker')
    .description(
      'Run jobs and their schedules: BullMQ workers with REDIS_URL, else in this process (needs MONGODB_URI or --embedded)',
    )
    .option('--embedded', 'use the embedded store under SIBYL_DATA_DIR when MONGODB_URI is unset', false)
    .option('--now <jobs...>', `trigger these jobs once at start (${JOB_NAMES.join(', ')})`)
    .action(async (opts: { embedded: boolean; now?: string[] }) => {
      const config = loadConfig();
      const unknown = (opts.now ?? []).filter((name) => !isJobName(name));
      if (unknown.length > 0)
        throw new UsageError(`--now: no job named ${unknown.join(', ')}; jobs: ${JOB_NAMES.join(', ')}`);
      const logger = createLogger(config.LOG_LEVEL);
      const store = await openStore(config, { allowEmbedded: opts.embedded });
      // A worker waiting for Redis can be stopped like a running one: the store is closed cleanly.
      const stopWhileStarting = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'stopped before the worker started');
        void store.close().finally(() => process.exit(0));
      };
      process.once('SIGTERM', stopWhileStarting);
      process.once('SIGINT', stopWhileStarting);
      const worker = await startWorker(config, store, logger).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      process.off('SIGTERM', stopWhileStarting);
      process.off('SIGINT', stopWhileStarting);
      const { runner } = worker;
      onShutdown(
        logger,
        async () => {
          await worker.close();
          await store.close();
        },
        55_000,
      );
      logger.info(
        {
          store: store.describe(),
          runner: runner.kind,
          prefix: config.SIBYL_QUEUE_PREFIX,
          marketStream: config.MARKET_STREAM_URL ?? null,
          metrics: worker.metricsUrl ?? null,
        },
        'worker started',
      );
      for (const name of (opts.now ?? []).filter(isJobName)) {
        const triggered = await runner.trigger(name);
        logger.info(
          { job: name, jobId: triggered.id, joined: triggered.deduplicated },
          'job triggered at start',
        );
      }
    });
}
