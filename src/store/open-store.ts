import type { Config } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { ensureIndexes } from './collections.js';
import { openEmbeddedStore } from './embedded-store.js';
import { MongoStore } from './mongo-store.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Allow the embedded store when MONGODB_URI is unset (demo, tests, `--embedded`). */
  allowEmbedded: boolean;
  /** Keep embedded data in memory only, ignoring SIBYL_DATA_DIR. @defaultValue false */
  memoryOnly?: boolean;
  logger?: Logger;
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

/**
 * The store the configuration names, with its indexes in place: MongoDB or a `sibyl store` at
 * MONGODB_URI, or with `--embedded` the `sibyl store` serving SIBYL_DATA_DIR (started in this
 * process if none runs). Always through the official driver.
 */
export async function openStore(config: Config, options: OpenStoreOptions): Promise<Store> {
  let store: Store;
  if (config.MONGODB_URI) {
    store = await MongoStore.connect(config.MONGODB_URI, config.MONGODB_DB);
  } else if (options.allowEmbedded) {
    store = await openEmbeddedStore({
      dir: options.memoryOnly ? undefined : config.SIBYL_DATA_DIR,
      dbName: config.MONGODB_DB,
      logger: options.logger,
    });
  } else {
    throw new StoreConfigError(
      'MONGODB_URI is not set: set it (MongoDB, or a `sibyl store`), or pass --embedded to use the embedded store',
    );
  }
  await ensureIndexes(store);
  return store;
}
