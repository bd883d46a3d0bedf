import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { runTraffic } from '../../traffic/run-traffic.js';
import { UsageError } from '../errors.js';

function positive(name: string, value: string, integer = false): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  return n;
}

export function registerTraffic(program: Command): void {
  program
    .command('traffic')
    .description(
      "Simulated traders using the API: the simulator's users fetch their feeds and post what they see and do",
    )
    .requiredOption('--api <url>', 'the API, e.g. http://localhost:8080')
    .option('--users <n>', "users of the simulator's population (user-1 … user-N)", '2000')
    .option('--rate <r>', 'feed requests per second', '5')
    .option('--duration <seconds>', 'how long to run', '60')
    .option('--seed <n>', 'the seed the users were simulated with', '42')
    .option('--days <n>', 'days of history those users have (as `sibyl simulate --days`)', '14')
    .option('--run <name>', 'names this run’s interactions (default: the start time)')
    .option('--api-key <key>', 'write key (default: the first of SIBYL_API_KEYS)')
    .action(
      async (opts: {
        api: string;
        users: string;
        rate: string;
        duration: string;
        seed: string;
        days: string;
        run?: string;
        apiKey?: string;
      }) => {
        const config = loadConfig();
        const logger = createLogger(config.LOG_LEVEL);
        let api: URL;
        try {
          api = new URL(opts.api);
        } catch {
          throw new UsageError(`--api: not a URL: "${opts.api}"`);
        }
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: invalid value "${opts.seed}"`);
        const stats = await runTraffic({
          api: api.origin,
          apiKey: opts.apiKey ?? config.SIBYL_API_KEYS[0],
          seed,
          users: positive('users', opts.users, true),
          days: positive('days', opts.days, true),
          rate: positive('rate', opts.rate),
          durationSeconds: positive('duration', opts.duration),
          ...(opts.run ? { run: opts.run } : {}),
          logger,
          onProgress: (s) =>
            logger.info(
              {
                sessions: s.sessions,
                feeds: s.feedRequests,
                clicks: s.clicks,
                trades: s.trades,
                errors: s.errors,
                rate: Number((s.feedRequests / s.seconds).toFixed(1)),
              },
              'traffic',
            ),
        });
        logger.info(
          { ...stats, rate: Number((stats.feedRequests / stats.seconds).toFixed(2)) },
          'traffic done',
        );
        console.log(JSON.stringify(stats));
      },
    );
}
