import { CONFIG_DEFAULTS } from '../../src/config/env.js';
import { Redis } from 'ioredis';

/** What API replicas are told when the active model changes. */
export interface ModelChange {
  version: string;
  action: 'promote' | 'rollback';
}

/** The pub/sub channel model changes go out on: `<SIBYL_QUEUE_PREFIX>:models`. */
export function modelsChannel(prefix = CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX): string {
  return `${prefix}:models`;
}

/** Tells whoever listens that the active model changed. */
export type ModelChangeNotifier = (change: ModelChange) => Promise<void>;

/**
 * Publishes on Redis pub/sub. Promotions are rare (nightly, or by hand), so each one opens a
 * short-lived connection rather than holding one for the life of the process.
 */
export function redisModelNotifier(
  redisUrl: string,
  prefix = CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX,
): ModelChangeNotifier {
  return async (change) => {
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 5_000,
    });
    redis.on('error', () => {
      // Reported by the rejected publish.
    });
    try {
      await redis.connect();
      await redis.publish(modelsChannel(prefix), JSON.stringify(change));
    } finally {
      redis.disconnect();
    }
  };
}

function parseChange(message: string): ModelChange | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<ModelChange>;
    if (typeof parsed.version !== 'string') return undefined;
    return { version: parsed.version, action: parsed.action === 'rollback' ? 'rollback' : 'promote' };
  } catch {
    return undefined;
  }
}

export interface ModelSubscription {
  close(): Promise<void>;
}

/**
 * Calls `onChange` for every model change published on `<prefix>:models` (malformed messages are
 * ignored). Resolves once subscribed; ioredis resubscribes by itself after a reconnect, and
 * whatever is missed meanwhile is caught by polling (ActiveModelWatcher).
 */
export async function subscribeModelChanges(
  redisUrl: string,
  onChange: (change: ModelChange) => void,
  options: { prefix?: string } = {},
): Promise<ModelSubscription> {
  const channel = modelsChannel(options.prefix);
  const redis = new Redis(redisUrl, { lazyConnect: true });
  redis.on('error', () => {
    // Reconnection is automatic; polling covers the gap.
  });
  redis.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    const change = parseChange(message);
    if (change) onChange(change);
  });
  try {
    await redis.connect();
    await redis.subscribe(channel);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    close: async () => {
      redis.disconnect();
    },
  };
}
