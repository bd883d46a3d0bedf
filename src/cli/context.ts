import { loadConfig, type Config } from '../config/env.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  store: Store;
}

/**
 * Config, logger and store for a command that needs them; closes the store (checkpointing the
 * embedded one) when `fn` is done, whether it succeeded or not.
 */
export async function withStore<R>(
  options: { embedded: boolean; memoryOnly?: boolean },
  fn: (ctx: CommandContext) => Promise<R>,
): Promise<R> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'stderr');
  const store = await openStore(config, {
    allowEmbedded: options.embedded,
    memoryOnly: options.memoryOnly ?? false,
  });
  logger.info({ store: store.describe() }, 'store opened');
  try {
    return await fn({ config, logger, store });
  } finally {
    await store.close();
  }
}
