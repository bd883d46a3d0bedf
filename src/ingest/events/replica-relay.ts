import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.js';
import { USER_CHANGE_EVENTS, type IngestEvents } from './ingest-events.js';

/** Carries user changes stored on one API replica to every other one. */
export interface ReplicaRelay {
  /** False while the subscription is down: changes relayed meanwhile may have been missed. */
  connected(): boolean;
  close(): Promise<void>;
}

/** The pub/sub channel: `<SIBYL_QUEUE_PREFIX>:users`. */
export function usersChannel(prefix: string): string {
  return `${prefix}:users`;
}

type UserChangeEvent = (typeof USER_CHANGE_EVENTS)[number];

/** On the channel: which event, on which replica, for which users. */
interface RelayMessage {
  event: UserChangeEvent;
  replica: string;
  userIds: string[];
}

function parse(message: string): RelayMessage | undefined {
  try {
    const m = JSON.parse(message) as Partial<RelayMessage>;
    if (!USER_CHANGE_EVENTS.includes(m.event as UserChangeEvent) || typeof m.replica !== 'string') return;
    if (!Array.isArray(m.userIds)) return;
    return { event: m.event!, replica: m.replica, userIds: m.userIds.filter((id) => typeof id === 'string') };
  } catch {
    return undefined; // not ours
  }
}

/**
 * Relays this replica's user-change events (interactions and attributes stored) over Redis pub/sub,
 * and emits those of other replicas on `events` with origin `replica`, so subscribers handle both
 * alike. `onConnectionChange` runs when the subscription comes up, drops or comes back: the caller
 * can trust cached state briefly meanwhile and drop it on recovery (what was published in between
 * is lost). ioredis reconnects and resubscribes by itself.
 */
export async function relayUserChanges(
  events: IngestEvents,
  options: {
    redisUrl: string;
    prefix: string;
    onConnectionChange: (connected: boolean) => void;
    logger?: Logger;
  },
): Promise<ReplicaRelay> {
  const channel = usersChannel(options.prefix);
  const replica = randomUUID();
  // The subscriber queues its SUBSCRIBE until Redis answers and keeps reconnecting (resubscribing
  // each time), so a replica started while Redis is down subscribes once it is back. Named, so
  // operators (and tests) can find it in CLIENT LIST.
  const subscriber = new Redis(options.redisUrl, { connectionName: channel, maxRetriesPerRequest: null });
  const publisher = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let subscribed = false;
  const setSubscribed = (value: boolean) => {
    if (value === subscribed) return;
    subscribed = value;
    options.onConnectionChange(value);
  };
  publisher.on('error', () => {}); // a failed publish is logged where it happens
  subscriber.on('error', () => setSubscribed(false));
  subscriber.on('close', () => setSubscribed(false));
  // After a reconnect ioredis resubscribes before emitting 'ready'.
  subscriber.on('ready', () => setSubscribed(true));
  subscriber.on('message', (ch: string, message: string) => {
    const m = ch === channel ? parse(message) : undefined;
    if (!m || m.replica === replica) return;
    events
      .emit(m.event, { userIds: m.userIds, origin: 'replica' })
      .catch((err: unknown) => options.logger?.warn({ err }, 'a relayed user change failed in a subscriber'));
  });
  const unsubscribe = USER_CHANGE_EVENTS.map((event) =>
    events.on(event, async ({ userIds, origin }) => {
      if (origin !== 'local' || userIds.length === 0) return;
      try {
        await publisher.publish(channel, JSON.stringify({ event, replica, userIds } satisfies RelayMessage));
      } catch (err) {
        options.logger?.warn(
          { err, users: userIds.length },
          'could not relay user changes to other replicas',
        );
      }
    }),
  );
  // Startup waits for the subscription a little, never for a Redis that is down.
  const first = subscriber.subscribe(channel).catch(() => {});
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  return {
    connected: () => subscribed,
    close: async () => {
      for (const off of unsubscribe) off();
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
