/**
 * A worker process that dies (SIGKILL) in the middle of a feature refresh, after its first
 * pipeline wrote and the embedded store checkpointed: the partial state a crash leaves behind.
 * Usage: node --import tsx crashing-worker.ts DATA_DIR PREFIX REDIS_URL NOW_ISO
 */
import { createProcessors } from '../../jobs/processors.js';
import { BullJobRunner } from '../../jobs/runners/bullmq-runner.js';
import { silentLogger } from '../../src/log/logger.js';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';

const [dir, prefix, redisUrl, nowIso] = process.argv.slice(2) as [string, string, string, string];
const store = await openEmbeddedStore({ dir });
const runner = await BullJobRunner.connect({
  redisUrl,
  prefix,
  logger: silentLogger,
  lockDurationMs: 1_000,
  stalledIntervalMs: 500,
});
const processors = createProcessors({ store, logger: silentLogger, now: () => new Date(nowIso) });
runner.startWorkers({
  ...processors,
  'refresh-features': (ctx) =>
    processors['refresh-features']({
      ...ctx,
      progress: async (done, stage) => {
        if (stage === 'user_market_features') {
          process.kill(process.pid, 'SIGKILL');
        }
        await ctx.progress(done, stage);
      },
    }),
});
console.log('ready');
