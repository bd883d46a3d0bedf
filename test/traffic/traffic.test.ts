import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedResponse } from '../../src/client/sibyl-client.js';
import type { InteractionDoc } from '../../src/domain/documents.js';
import { runTraffic, type TrafficStats } from '../../src/traffic/run-traffic.js';
import { Trader, traderWorld } from '../../src/traffic/traders.js';
import { Rng } from '../../src/util/rng.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import type { Store } from '../../src/store/types.js';
import { API_KEY, makeTestApi } from '../helpers/api.js';
import { HOUR_MS, TEST_END } from '../helpers/fixed-clock.js';
import { simulateToStore } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';

const SIM = { seed: 9, users: 300, days: 5, end: TEST_END };
/** Traders act an hour after the simulated history ends (the API's clock and theirs). */
const NOW = new Date(TEST_END.getTime() + HOUR_MS);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** The API on a simulated exchange, listening on a loopback port. */
async function servedExchange(): Promise<{ url: string; store: Store; server: Server }> {
  const store = await openTestStore();
  await simulateToStore(store, SIM);
  await refreshFeatures(store, { mode: 'full', now: NOW });
  const api = await makeTestApi({ store, now: NOW });
  const server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, server };
}

const traffic = (url: string, run: string) =>
  runTraffic({
    api: url,
    apiKey: API_KEY,
    seed: SIM.seed,
    users: SIM.users,
    days: SIM.days,
    rate: 40,
    durationSeconds: 2,
    run,
    now: () => NOW,
  });

describe('sibyl traffic: simulated traders using the API', () => {
  const servers: Server[] = [];
  let a: Awaited<ReturnType<typeof servedExchange>>;
  let stats: TrafficStats;
  beforeAll(async () => {
    a = await servedExchange();
    servers.push(a.server);
    stats = await traffic(a.url, 'first');
  }, 120_000);
  afterAll(() => servers.forEach((s) => s.close()));

  it('fetches feeds within its rate and posts what the traders saw and did, attributed to the feeds served', async () => {
    expect(stats.errors).toEqual({});
    // 40 requests a second for 2 s: a budget, never exceeded.
    expect(stats.feedRequests).toBeLessThanOrEqual(80);
    expect(stats.feedRequests).toBeGreaterThan(0);
    const posted = await a.store
      .collection<InteractionDoc>('interactions')
      .find({ eventId: /^tr-first-/ })
      .toArray();
    expect(posted.length).toBe(stats.interactionsPosted);
    const types = new Set(posted.map((i) => i.type));
    for (const type of ['impression', 'click', 'trade']) expect(types).toContain(type);
    // Impressions and clicks name the feed they were served on, and its ranker.
    for (const i of posted.filter((p) => p.type === 'impression' || p.type === 'click')) {
      expect(i.feedId).toBeDefined();
      expect(i.attribution?.ranker).toBeDefined();
    }
    // Impressions of a session's feed run down its positions without gaps: page after page.
    const bySession = groupBy(
      posted.filter((i) => i.type === 'impression'),
      (i) => i.eventId.split('-').slice(0, 3).join('-'),
    );
    for (const impressions of bySession.values()) {
      const positions = impressions.map((i) => i.position);
      expect(positions).toEqual(positions.map((_, k) => k));
    }
    // Trades are priced from the quotes shown, with contracts and a side.
    for (const t of posted.filter((p) => p.type === 'trade')) {
      expect(t.side === 'yes' || t.side === 'no').toBe(true);
      expect(t.contracts).toBeGreaterThanOrEqual(1);
      expect(t.price).toBeGreaterThan(0);
      expect(t.price).toBeLessThan(1);
    }
    // Heavy users come back: fewer distinct users than sessions.
    expect(new Set(posted.map((i) => i.userId)).size).toBeLessThan(stats.sessions);
  });

  it('makes the same choices for the same seed and run: the same users, and the same reactions to the same page', async () => {
    const b = await servedExchange();
    servers.push(b.server);
    await traffic(b.url, 'first');
    const usersBySession = async (store: Store) =>
      new Map(
        (
          await store
            .collection<InteractionDoc>('interactions')
            .find({ eventId: /^tr-first-/ }, { projection: { eventId: 1, userId: 1 } })
            .toArray()
        ).map((i) => [i.eventId.split('-')[2]!, i.userId]),
      );
    const [first, second] = [await usersBySession(a.store), await usersBySession(b.store)];
    // Timing decides how many sessions fit in the duration; the ones both runs had are the same users.
    const common = [...first.keys()].filter((k) => second.has(k));
    expect(common.length).toBeGreaterThan(10);
    for (const k of common) expect(second.get(k), `session ${k}`).toBe(first.get(k));

    // What a feed shows a user can differ between runs (their own earlier sessions post
    // interactions at times the clock decides); shown the same page, a trader does the same.
    const world = traderWorld(SIM.seed, SIM.users, SIM.days, NOW.getTime());
    const page = (await (await fetch(`${a.url}/v1/users/user-7/feed?limit=10`)).json()) as FeedResponse;
    const react = () => {
      const trader = new Trader(world, 6, Rng.of(SIM.seed, 'traffic', 'same', 1), 'tr-same-1', () => NOW);
      return trader.look(page, 0, trader.sessionDepth());
    };
    const once = react();
    expect(once.examined).toBeGreaterThan(0);
    expect(react()).toEqual(once);
  }, 120_000);
});
