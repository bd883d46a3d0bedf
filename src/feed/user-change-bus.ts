import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';

/** Tells every API replica which users' interactions or attributes just changed. */
export interface UserChangeBus {
  publish(userIds: string[]): Promise<void>;
  /** False while the subscription is down: changes published meanwhile may have been missed. */
  connected(): boolean;
  close(): Promise<void>;
}

/** The pub/sub channel: `<SIBYL_QUEUE_PREFIX>:users`. */
export function usersChannel(prefix: string): string {
  return `${prefix}:users`;
}

/**
 * User changes over Redis pub/sub: `onChange` runs for every message (from any replica, this one
 * included); `onConnectionChange` when the subscription drops or comes back, so the caller can
 * shorten how long it trusts cached state meanwhile and drop it on recovery (what was published in
 * between is lost). ioredis reconnects and resubscribes by itself.
 */
export async function redisUserChangeBus(
  redisUrl: string,
  prefix: string,
  handlers: { onChange: (userIds: string[]) => void; onConnectionChange: (connected: boolean) => void },
  logger?: Logger,
): Promise<UserChangeBus> {
  const channel = usersChannel(prefix);
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false } as const;
  // Named, so operators (and tests) can find the subscription in CLIENT LIST.
  const subscriber = new Redis(redisUrl, { ...options, enableOfflineQueue: true, connectionName: channel });
  const publisher = new Redis(redisUrl, options);
  let subscribed = false;
  const setSubscribed = (value: boolean) => {
    if (value === subscribed) return;
    subscribed = value;
    handlers.onConnectionChange(value);
  };
  publisher.on('error', () => {}); // a failed publish is logged where it happens
  subscriber.on('error', () => setSubscribed(false));
  subscriber.on('close', () => setSubscribed(false));
  // ioredis resubscribes before 'ready' is emitted again after a reconnect.
  subscriber.on('ready', () => setSubscribed(true));
  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      const ids: unknown = JSON.parse(message);
      if (Array.isArray(ids)) handlers.onChange(ids.filter((id): id is string => typeof id === 'string'));
    } catch {
      // Not ours: ignore.
    }
  });
  try {
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe(channel);
    setSubscribed(true);
  } catch (err) {
    subscriber.disconnect();
    publisher.disconnect();
    throw err;
  }
  return {
    publish: async (userIds) => {
      if (userIds.length === 0) return;
      try {
        await publisher.publish(channel, JSON.stringify(userIds));
      } catch (err) {
        logger?.warn({ err, users: userIds.length }, 'could not publish user changes to other replicas');
      }
    },
    connected: () => subscribed,
    close: async () => {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
