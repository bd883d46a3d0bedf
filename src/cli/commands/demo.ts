import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { refreshFeatures } from '../../features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../../features/feature-config.js';
import { openStore } from '../../store/open-store.js';
import { simulateToStore } from '../../simulator/index.js';
import { serveUntilSignalled } from './serve.js';

/** Small enough to be serving within seconds, large enough for every category and real personalization. */
const DEMO = { seed: 42, users: 2_000, days: 14 };

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Everything in one process: in-memory store, simulated exchange, features, jobs, API on PORT (8080)',
    )
    .option('--users <n>', 'simulated users', String(DEMO.users))
    .option('--days <n>', 'simulated days', String(DEMO.days))
    .option('--seed <n>', 'simulator seed', String(DEMO.seed))
    .action(async (opts: { users: string; days: string; seed: string }) => {
      const started = Date.now();
      const env = loadConfig();
      // The demo is self-contained: it never touches a configured MongoDB or the data directory.
      const config = {
        ...env,
        MONGODB_URI: undefined,
        SIBYL_API_KEYS: env.SIBYL_API_KEYS.length
          ? env.SIBYL_API_KEYS
          : [`demo-${randomBytes(8).toString('hex')}`],
        // Models of an in-memory store are as temporary as it is; the API notices the promotion soon.
        SIBYL_MODELS_DIR: await mkdtemp(path.join(tmpdir(), 'sibyl-demo-models-')),
        MODEL_RELOAD_POLL_SECONDS: Math.min(env.MODEL_RELOAD_POLL_SECONDS, 2),
      };
      const logger = createLogger(config.LOG_LEVEL);
      const store = await openStore(config, { allowEmbedded: true, memoryOnly: true });
      const sim = await simulateToStore(store, {
        seed: Number(opts.seed),
        users: Number(opts.users),
        days: Number(opts.days),
      });
      logger.info({ ...sim.counts, ms: Date.now() - started }, 'simulated exchange loaded');
      // Every write is done and this process made them all: no in-flight writes to wait out.
      const features = await refreshFeatures(store, {
        mode: 'full',
        config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 },
      });
      logger.info(
        { pairs: features.pairs, users: features.users, ms: Date.now() - started },
        'features built',
      );
      const { url, jobs } = await serveUntilSignalled(config, store, logger, 'all-in-one');
      // The nightly chain once now (features → train → evaluate → promote): feeds are served by
      // popularity until its model is promoted, about a minute later.
      await jobs.trigger('nightly');
      const example = `${url}/v1/users/${sim.demoUserId}/feed?limit=20`;
      logger.info({ example, ms: Date.now() - started }, 'demo ready');
      console.log(
        `\nSibyl demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Try:\n  curl '${example}'\n`,
      );
      console.log(`Write endpoints accept: Authorization: Bearer ${config.SIBYL_API_KEYS[0]}\n`);
      console.log(
        'The two-tower model is training in the background; feeds switch to it ("ranker": "two-tower") once it is promoted.\n',
      );
    });
}
