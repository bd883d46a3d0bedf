import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../log/logger.js';
import { onShutdown } from '../../server/shutdown.js';
import { StoreServer } from '../../store/server/store-server.js';
import { UsageError } from '../errors.js';

/** The embedded store's default port: next to MongoDB's 27017, so a local MongoDB is not shadowed. */
export const STORE_PORT = 27018;

export function registerStore(program: Command): void {
  program
    .command('store')
    .description(
      'Serve the embedded store: a MongoDB-wire-compatible server (point MONGODB_URI, the driver or mongosh at it)',
    )
    .option('--data-dir <dir>', 'where data, journal and checkpoints live (default: SIBYL_DATA_DIR)')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', String(STORE_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--socket <path>', 'listen on a Unix socket instead of TCP')
    .option('--memory', 'keep nothing on disk', false)
    .action(
      async (opts: { dataDir?: string; port: string; host: string; socket?: string; memory: boolean }) => {
        const config = loadConfig();
        const logger = createLogger(config.LOG_LEVEL);
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535)
          throw new UsageError(`--port must be an integer from 0 to 65535, got "${opts.port}"`);
        const dir = opts.memory ? undefined : (opts.dataDir ?? config.SIBYL_DATA_DIR);
        const server = await StoreServer.start({
          dir,
          port,
          host: opts.host,
          socket: opts.socket,
          legacyDatabase: config.MONGODB_DB,
          logger,
        });
        onShutdown(logger, () => server.close());
        logger.info({ uri: server.uri, dir: dir ?? null }, 'store listening');
        // The one line other processes (and people) need.
        console.error(`sibyl store: MONGODB_URI=${server.uri}`);
      },
    );
}
