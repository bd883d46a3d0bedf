import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.js';
import { USER_CHANGE_EVENTS, type IngestEvents } from './ingest-events.js';

/** Carries what one process stored (user changes, catalogue changes) to every API replica. */
export interface ReplicaRelay {
  /** False while the subscription is down: changes relayed meanwhile may have been missed. */
  connected(): boolean;
  close(): Promise<void>;
}

/** The pub/sub channel: `<SIBYL_QUEUE_PREFIX>:changes` (user and catalogue changes). */
export function changesChannel(prefix: string): string {
  return `${prefix}:changes`;
}

const RELAYED = [...USER_CHANGE_EVENTS, 'catalogueStored'] as const;
type RelayedEvent = (typeof RELAYED)[number];

/** On the channel: which event, from which process, for which users or markets. */
interface RelayMessage {
  event: RelayedEvent;
  replica: string;
  userIds?: string[];
  tickers?: string[];
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

function parse(message: string): RelayMessage | undefined {
  try {
    const m = JSON.parse(message) as Partial<RelayMessage>;
    if (!RELAYED.includes(m.event as RelayedEvent) || typeof m.replica !== 'string') return;
    const userIds = strings(m.userIds);
    if (m.event !== 'catalogueStored' && !userIds) return;
    const tickers = strings(m.tickers);
    return {
      event: m.event!,
      replica: m.replica,
      ...(userIds ? { userIds } : {}),
      ...(tickers ? { tickers } : {}),
    };
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
export async function relayChanges(
  events: IngestEvents,
  options: {
    redisUrl: string;
    prefix: string;
    onConnectionChange: (connected: boolean) => void;
    logger?: Logger;
  },
): Promise<ReplicaRelay> {
  const channel = changesChannel(options.prefix);
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
    const emitted =
      m.event === 'catalogueStored'
        ? events.emit(m.event, { origin: 'replica', ...(m.tickers ? { tickers: m.tickers } : {}) })
        : events.emit(m.event, { userIds: m.userIds!, origin: 'replica' });
    emitted.catch((err: unknown) => options.logger?.warn({ err }, 'a relayed change failed in a subscriber'));
  });
  const publish = async (message: RelayMessage) => {
    try {
      await publisher.publish(channel, JSON.stringify(message));
    } catch (err) {
      options.logger?.warn({ err, event: message.event }, 'could not relay a change to other replicas');
    }
  };
  const unsubscribe = [
    ...USER_CHANGE_EVENTS.map((event) =>
      events.on(event, async ({ userIds, origin }) => {
        if (origin === 'local' && userIds.length > 0) await publish({ event, replica, userIds });
      }),
    ),
    events.on('catalogueStored', async ({ origin, tickers }) => {
      if (origin === 'local')
        await publish({ event: 'catalogueStored', replica, ...(tickers ? { tickers } : {}) });
    }),
  ];
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
