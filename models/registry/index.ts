import type { Config } from '../../src/config/env.js';
import type { Logger } from '../../src/log/logger.js';
import type { CollectionSource } from '../../src/domain/collections.js';
import { redisModelNotifier } from './notify.js';
import { ModelRegistry } from './registry.js';
import { ActiveModelWatcher } from './watcher.js';

export * from './artifacts.js';
export * from './gate.js';
export * from '../../src/domain/model-doc.js';
export * from './notify.js';
export * from './registry.js';
export * from './watcher.js';

/** The registry as configured: SIBYL_MODELS_DIR, and model changes published on Redis when REDIS_URL is set. */
export function modelRegistryFromConfig(
  config: Config,
  store: CollectionSource,
  logger?: Logger,
): ModelRegistry {
  return new ModelRegistry({
    store,
    modelsDir: config.SIBYL_MODELS_DIR,
    keepRetired: config.MODEL_KEEP_RETIRED,
    ...(config.REDIS_URL ? { notify: redisModelNotifier(config.REDIS_URL, config.SIBYL_QUEUE_PREFIX) } : {}),
    ...(logger ? { logger } : {}),
  });
}

/** An API replica's view of the active model: pub/sub when REDIS_URL is set, polling every MODEL_RELOAD_POLL_SECONDS. */
export function activeModelWatcherFromConfig(
  config: Config,
  registry: ModelRegistry,
  logger?: Logger,
): ActiveModelWatcher {
  return new ActiveModelWatcher({
    registry,
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    prefix: config.SIBYL_QUEUE_PREFIX,
    pollSeconds: config.MODEL_RELOAD_POLL_SECONDS,
    ...(logger ? { logger } : {}),
  });
}
