import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { acceleratedClock } from '../../exchange/clock.js';
import { REST_PATH, STREAM_PATH, startExchange } from '../../exchange/exchange-server.js';
import { createLogger } from '../../log/logger.js';
import { onShutdown } from '../../server/shutdown.js';
import { UsageError } from '../errors.js';

/** The simulated exchange's default port. */
export const EXCHANGE_PORT = 9090;

function numberOption(name: string, value: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (!check(n)) throw new UsageError(`--${name}: invalid value "${value}"`);
  return n;
}

export function registerExchange(program: Command): void {
  program
    .command('exchange')
    .description(
      'A simulated exchange with a Kalshi-compatible public API: the seeded simulator run forward in (optionally accelerated) real time',
    )
    .option('--seed <n>', 'simulator seed (the same as `sibyl simulate`, so the catalogues agree)', '42')
    .option('--speed <x>', 'how many times faster than the wall clock the exchange runs', '1')
    .option('--port <n>', 'TCP port (0 picks a free one)', String(EXCHANGE_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--history-days <n>',
      "days of history before today's midnight (UTC), as `sibyl simulate --days`",
      '14',
    )
    .option('--ahead-days <n>', 'days ahead whose markets are scheduled', '14')
    .action(
      async (opts: {
        seed: string;
        speed: string;
        port: string;
        host: string;
        historyDays: string;
        aheadDays: string;
      }) => {
        const config = loadConfig();
        const logger = createLogger(config.LOG_LEVEL);
        const seed = numberOption('seed', opts.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
        const speed = numberOption('speed', opts.speed, (n) => n > 0 && n <= 10_000);
        const port = numberOption('port', opts.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535);
        const days = (name: string, v: string) =>
          numberOption(name, v, (n) => Number.isInteger(n) && n >= 1 && n <= 366);
        const running = await startExchange({
          seed,
          clock: acceleratedClock(speed),
          historyDays: days('history-days', opts.historyDays),
          aheadDays: days('ahead-days', opts.aheadDays),
          port,
          host: opts.host,
          logger,
        });
        onShutdown(logger, () => running.close());
        const ws = running.url.replace(/^http/, 'ws');
        logger.info({ url: running.url, seed, speed }, 'exchange listening');
        // What Sibyl's worker needs, on one line each.
        console.error(`sibyl exchange: MARKET_SYNC_URL=${running.url}${REST_PATH}`);
        console.error(`sibyl exchange: MARKET_STREAM_URL=${ws}${STREAM_PATH}`);
      },
    );
}
