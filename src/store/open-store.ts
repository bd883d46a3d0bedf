import type { Config } from '../config/env.js';
import { ensureIndexes } from './collections.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import { MongoStore } from './mongo-store.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Allow the embedded store when MONGODB_URI is unset (demo, tests, `--embedded`). */
  allowEmbedded: boolean;
  /** Keep embedded data in memory only, ignoring SIBYL_DATA_DIR. @defaultValue false */
  memoryOnly?: boolean;
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

/** The backend named by the configuration, with its indexes in place. */
export async function openStore(config: Config, options: OpenStoreOptions): Promise<Store> {
  let store: Store;
  if (config.MONGODB_URI) {
    store = await MongoStore.connect(config.MONGODB_URI, config.MONGODB_DB);
  } else if (options.allowEmbedded) {
    store = await EmbeddedStore.open(options.memoryOnly ? {} : { dir: config.SIBYL_DATA_DIR });
  } else {
    throw new StoreConfigError(
      'MONGODB_URI is not set: set it, or pass --embedded to use the embedded store',
    );
  }
  await ensureIndexes(store);
  return store;
}
