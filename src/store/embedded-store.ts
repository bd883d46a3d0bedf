import type { Logger } from 'pino';
import { CONFIG_DEFAULTS } from '../config/env.js';
import { MongoStore } from './mongo-store.js';
import { runningStore } from './server/data-dir.js';
import { StoreServer } from './server/store-server.js';

export interface EmbeddedStoreOptions {
  /** The data directory; omit for a server that keeps nothing on disk (tests, `--memory`). */
  dir?: string;
  /** @defaultValue CONFIG_DEFAULTS.MONGODB_DB */
  dbName?: string;
  logger?: Logger;
}

/**
 * `--embedded`: the `sibyl store` that serves the data directory if one runs, otherwise one
 * started inside this process (and stopped with the returned store). Either way every read and
 * write goes through the official driver, exactly as against MongoDB.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<MongoStore> {
  const dbName = options.dbName ?? CONFIG_DEFAULTS.MONGODB_DB;
  const running = options.dir ? runningStore(options.dir) : undefined;
  if (running?.uri) {
    options.logger?.info({ uri: running.uri, pid: running.pid }, 'connecting to the running sibyl store');
    return MongoStore.connect(running.uri, dbName, {
      label: `sibyl store at ${options.dir} (pid ${running.pid})`,
    });
  }
  const server = await StoreServer.start({ dir: options.dir, port: 0, logger: options.logger });
  return MongoStore.connect(server.uri, dbName, {
    label: options.dir
      ? `sibyl store at ${options.dir} (in this process)`
      : 'sibyl store (memory only, in this process)',
    onClose: () => server.close(),
  });
}
