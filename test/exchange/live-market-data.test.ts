import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/exchange/clock.js';
import {
  REST_PATH,
  STREAM_PATH,
  startExchange,
  type RunningExchange,
} from '../../src/exchange/exchange-server.js';
import { createIngestEvents } from '../../src/ingest/events/ingest-events.js';
import { relayChanges, type ReplicaRelay } from '../../src/ingest/events/replica-relay.js';
import { LiveMarketData } from '../../src/ingest/market-data/live-market-data.js';
import type { Store } from '../../src/store/types.js';
import { makeTestApi, type TestApi } from '../helpers/api.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';
import { openTestStore } from '../helpers/store.js';

/** Polls `check` until it holds (or fails after `timeoutMs`); returns how long it took. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

const SIBYL_STATUS: Record<string, string> = {
  initialized: 'unopened',
  active: 'open',
  inactive: 'paused',
  closed: 'closed',
  determined: 'settled',
  finalized: 'settled',
};

describe('live market data: a simulated exchange streamed into Sibyl', () => {
  const clock = new ManualClock(TEST_NOW.getTime());
  const prefix = testPrefix();
  const closers: (() => Promise<void>)[] = [];
  let exchange: RunningExchange;
  let store: Store;
  let live: LiveMarketData;
  let replicas: TestApi[];

  beforeAll(async () => {
    // Steps only when the test (or a control action) asks: nothing moves unless the test moves it.
    exchange = await startExchange({ seed: 7, clock, stepMs: 0, historyDays: 3, aheadDays: 3 });
    closers.push(() => exchange.close());
    store = await openTestStore();
    const workerEvents = createIngestEvents();
    const relays: ReplicaRelay[] = [];
    const relay = (events: typeof workerEvents) =>
      relayChanges(events, { redisUrl: REDIS_URL, prefix, onConnectionChange: () => {} }).then((r) => {
        relays.push(r);
      });
    await relay(workerEvents);
    live = new LiveMarketData(store, {
      streamUrl: `${exchange.url.replace('http', 'ws')}${STREAM_PATH}`,
      syncUrl: `${exchange.url}${REST_PATH}`,
      events: workerEvents,
      now: () => new Date(clock.ms),
      statusSweepMs: 0,
      minBackoffMs: 50,
    });
    live.start();
    closers.push(() => live.stop());
    await until(() => live.stats.resyncs >= 1);
    // Two API replicas on the same store, each with its own catalogue, refreshed every 60 s of a
    // clock that does not move: only a relayed change can reload them.
    replicas = [];
    for (let i = 0; i < 2; i++) {
      const events = createIngestEvents();
      await relay(events);
      replicas.push(await makeTestApi({ store, now: TEST_NOW, events }));
    }
    for (const r of replicas) await r.catalogue.reload();
    closers.push(async () => {
      for (const r of relays) await r.close();
      await dropPrefix(prefix);
    });
  }, 60_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  const feedTickers = async (api: TestApi, user: string, query = 'limit=50') =>
    (await request(api.app).get(`/v1/users/${user}/feed?${query}`).expect(200)).body as {
      items: { ticker: string }[];
      nextCursor: string | null;
    };

  it('loads the exchange catalogue, and a market closed there leaves every replica’s feeds and pages without a refresh', async () => {
    const [a, b] = replicas as [TestApi, TestApi];
    const everyone = (await feedTickers(a, 'probe')).items.map((i) => i.ticker);
    expect(everyone.length).toBeGreaterThan(20);
    // A user on replica b reads the first page of five; the sixth to tenth are on their next page.
    const first = await feedTickers(b, 'reader', 'limit=5');
    expect(first.items.map((i) => i.ticker)).toEqual(everyone.slice(0, 5));
    const onNextPage = everyone[7]!;

    const closed = await fetch(`${exchange.url}/sim/v1/markets/${onNextPage}/close`, { method: 'POST' });
    expect(((await closed.json()) as { status: string }).status).toBe('closed');
    await until(
      async () => (await store.collection('markets').findOne({ ticker: onNextPage }))?.status === 'closed',
    );
    for (const api of [a, b])
      await until(
        async () => !(await feedTickers(api, 'fresh')).items.some((i) => i.ticker === onNextPage),
        5_000,
      );

    const next = await feedTickers(b, 'reader', `limit=5&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(next.items.map((i) => i.ticker)).toEqual(everyone.slice(5, 11).filter((t) => t !== onNextPage));
  });

  it('after missed lifecycle messages and a dropped connection, resyncs so that no market is left stale', async () => {
    const tickers = (await feedTickers(replicas[0]!, 'probe')).items.map((i) => i.ticker);
    const [paused, closedUnseen, closedWhileDown, marker] = tickers.slice(10, 14) as [
      string,
      string,
      string,
      string,
    ];
    const gapsBefore = live.stats.gaps;
    const control = (path: string, body?: unknown) =>
      fetch(`${exchange.url}/sim/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });

    // Two lifecycle messages lost on the way; the third shows the gap in `seq`.
    await control('/streams/withhold', { count: 2 });
    await control(`/markets/${paused}/pause`);
    await control(`/markets/${closedUnseen}/close`);
    await control(`/markets/${marker}/pause`);
    await until(() => live.stats.gaps > gapsBefore);

    // The connection drops; a market closes while nobody listens; the client comes back.
    const connections = live.stats.connections;
    expect(((await (await control('/streams/drop')).json()) as { dropped: number }).dropped).toBeGreaterThan(
      0,
    );
    await control(`/markets/${closedWhileDown}/close`);
    await until(() => live.stats.connections > connections);
    // The resync that follows every subscription, and the writes queued before it.
    await live.settled();

    const stored = async (ticker: string) => (await store.collection('markets').findOne({ ticker }))?.status;
    expect(await stored(paused)).toBe('paused');
    expect(await stored(closedUnseen)).toBe('closed');
    expect(await stored(closedWhileDown)).toBe('closed');
    expect(await stored(marker)).toBe('paused');
    // And nothing else disagrees with the exchange.
    const statuses = new Map(
      (
        await store
          .collection('markets')
          .find({}, { projection: { ticker: 1, status: 1 } })
          .toArray()
      ).map((m) => [m.ticker as string, m.status as string]),
    );
    const disagreements = exchange.exchange
      .listed()
      .filter((l) => l.closeMs > clock.ms - 86_400_000)
      .filter((l) => statuses.get(l.market.ticker) !== SIBYL_STATUS[l.status])
      .map((l) => `${l.market.ticker}: exchange ${l.status}, Sibyl ${statuses.get(l.market.ticker)}`);
    expect(disagreements).toEqual([]);
    for (const api of replicas) {
      await until(async () => {
        const items = (await feedTickers(api, 'after')).items.map((i) => i.ticker);
        return ![paused, closedUnseen, closedWhileDown, marker].some((t) => items.includes(t));
      }, 5_000);
    }
  });
});
