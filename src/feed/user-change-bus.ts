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
 * included); `onConnectionChange` when the subscription comes up, drops or comes back, so the
 * caller can shorten how long it trusts cached state meanwhile and drop it on recovery (what was
 * published in between is lost). ioredis reconnects and resubscribes by itself.
 */
export async function redisUserChangeBus(
  redisUrl: string,
  prefix: string,
  handlers: { onChange: (userIds: string[]) => void; onConnectionChange: (connected: boolean) => void },
  logger?: Logger,
): Promise<UserChangeBus> {
  const channel = usersChannel(prefix);
  // The subscriber queues its SUBSCRIBE until Redis answers and keeps reconnecting (resubscribing
  // each time), so a replica started while Redis is down subscribes once it is back. Named, so
  // operators (and tests) can find it in CLIENT LIST.
  const subscriber = new Redis(redisUrl, { connectionName: channel, maxRetriesPerRequest: null });
  const publisher = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let subscribed = false;
  const setSubscribed = (value: boolean) => {
    if (value === subscribed) return;
    subscribed = value;
    handlers.onConnectionChange(value);
  };
  publisher.on('error', () => {}); // a failed publish is logged where it happens
  subscriber.on('error', () => setSubscribed(false));
  subscriber.on('close', () => setSubscribed(false));
  // After a reconnect ioredis resubscribes before emitting 'ready'.
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
  // Startup waits for the subscription a little, never for a Redis that is down.
  const first = subscriber.subscribe(channel).catch(() => {});
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
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
