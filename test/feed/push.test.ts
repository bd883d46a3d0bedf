import { afterEach, describe, expect, it } from 'vitest';
import { issueUserToken } from '../../src/util/user-token.js';
import { API_KEY, auth, listenTestApi } from '../helpers/api.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import { SocketClient, SseClient, until, type Json } from '../helpers/push-clients.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const token = (userId: string, expiresAt = new Date(TEST_NOW.getTime() + HOUR_MS)) =>
  issueUserToken(SECRET, userId, expiresAt);

/** 30 markets, M-0 the most traded, all at 50¢, open for ten days already. */
const base = cryptoAndSportsMarkets(30, {
  volume24h: (i) => 10_000 - i * 300,
  openTime: new Date(TEST_END.getTime() - 10 * DAY_MS).toISOString(),
}).map((m) => ({ ...m, lastPrice: 0.5, yesBid: 0.49, yesAsk: 0.51 }));
type Market = (typeof base)[number];

type Api = Awaited<ReturnType<typeof listenTestApi>>;
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function setUp(config: Parameters<typeof listenTestApi>[0] = {}) {
  const api = await listenTestApi({
    ...config,
    config: { SIBYL_USER_TOKEN_SECRET: SECRET, FEED_PUSH_MIN_SECONDS: 30, ...config.config },
  });
  opened.push(api);
  await putMarkets(api, base);
  const feed = (await (
    await fetch(`${api.url}/v1/users/user-1/feed?limit=10`, { headers: auth })
  ).json()) as {
    feedId: string;
    items: { ticker: string }[];
    nextCursor: string;
  };
  const served = feed.items.map((i) => i.ticker);
  const unserved = base.map((m) => m.ticker).filter((t) => !served.includes(t));
  return { api, feed, served, unserved };
}

async function putMarkets(api: Api, markets: Partial<Market>[]): Promise<void> {
  const res = await fetch(`${api.url}/v1/markets`, {
    method: 'PUT',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ markets }),
  });
  expect(res.status).toBe(200);
  await api.composition.push.hub.idle();
}

const market = (ticker: string, change: Partial<Market>) => ({
  ...base.find((m) => m.ticker === ticker)!,
  ...change,
});

async function subscribe(api: Api, feedId: string, extra: Record<string, unknown> = {}, userId = 'user-1') {
  const client = await SocketClient.open(api.url, token(userId));
  opened.push(client);
  const reply = await client.command(1, 'subscribe', {
    channels: ['feed'],
    user_id: userId,
    feed_id: feedId,
    ...extra,
  });
  expect(reply.type).toBe('subscribed');
  return { client, reply };
}

/** A newly listed market the cold user's popularity feed puts first. */
const hit = (ticker: string, volume24h = 100_000): Market => ({
  ...base[0]!,
  ticker,
  eventTicker: `E-${ticker}`,
  title: `Hit ${ticker}`,
  volume24h,
});

describe('live feed pushes over WebSocket', () => {
  it('market_closed for a served market that closes, pauses or settles, and nothing for one never served', async () => {
    const { api, feed, served, unserved } = await setUp();
    const { client } = await subscribe(api, feed.feedId);
    await putMarkets(api, [market(unserved[0]!, { status: 'closed' })]);
    await putMarkets(api, [market(served[2]!, { status: 'paused' })]);
    const paused = await client.nextEvent((e) => e.type === 'market_closed', 'market_closed');
    expect(paused).toMatchObject({ type: 'market_closed', ticker: served[2], status: 'paused', seq: 1 });
    await putMarkets(api, [market(served[3]!, { status: 'settled' })]);
    await client.nextEvent((e) => e.ticker === served[3], 'the settled market');
    // The unserved market closed first, yet only the served ones were pushed, numbered 1, 2.
    expect(client.events().map((e) => [e.type, e.ticker, e.status, e.seq])).toEqual([
      ['market_closed', served[2], 'paused', 1],
      ['market_closed', served[3], 'settled', 2],
    ]);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain('sibyl_push_events{type="market_closed"} 2');
    expect(metrics).toContain('sibyl_push_streams 1');
  });

  it('price_moved once a served market moves FEED_PUSH_PRICE_CENTS from its served price, not for smaller moves', async () => {
    const { api, feed, served, unserved } = await setUp();
    const { client } = await subscribe(api, feed.feedId);
    await putMarkets(api, [market(served[0]!, { lastPrice: 0.53 })]); // 3¢: below the 5¢ threshold
    await putMarkets(api, [market(unserved[0]!, { lastPrice: 0.9 })]); // not served
    await putMarkets(api, [market(served[0]!, { lastPrice: 0.56 })]); // 6¢ from served 50¢
    await putMarkets(api, [market(served[0]!, { lastPrice: 0.59 })]); // 3¢ from the pushed 56¢
    await putMarkets(api, [market(served[1]!, { lastPrice: 0.45 })]); // 5¢ down
    await client.nextEvent((e) => e.ticker === served[1], 'the second move');
    expect(client.events().map((e) => [e.type, e.ticker, e.from, e.to])).toEqual([
      ['price_moved', served[0], '0.5000', '0.5600'],
      ['price_moved', served[1], '0.5000', '0.4500'],
    ]);
  });

  it('pushes for the pages the cursor says were served, beyond the first', async () => {
    const { api, feed, unserved } = await setUp();
    // One stream from before the user paged, one from after: the feed's pushes now cover page two.
    const early = await subscribe(api, feed.feedId);
    const second = (await (
      await fetch(`${api.url}/v1/users/user-1/feed?limit=10&cursor=${encodeURIComponent(feed.nextCursor)}`, {
        headers: auth,
      })
    ).json()) as { items: { ticker: string }[]; nextCursor: string };
    const { client } = await subscribe(api, feed.feedId, { cursor: second.nextCursor });
    const onPageTwo = second.items[0]!.ticker;
    const beyond = unserved.find((t) => !second.items.some((i) => i.ticker === t))!;
    await putMarkets(api, [market(beyond, { status: 'closed' }), market(onPageTwo, { status: 'closed' })]);
    for (const c of [client, early.client]) {
      await c.nextEvent((e) => e.type === 'market_closed', 'market_closed');
      expect(c.events().map((e) => e.ticker)).toEqual([onPageTwo]);
    }
  });

  it('new_match for a listing in the top K, none for a listing ranked below it; feed_changed at most once per interval', async () => {
    const { api, feed } = await setUp({ config: { FEED_PUSH_TOP_K: 5 } });
    const { client } = await subscribe(api, feed.feedId);
    await putMarkets(api, [hit('NEW-LOW', 0)]);
    await putMarkets(api, [hit('NEW-1')]);
    const match = await client.nextEvent((e) => e.type === 'new_match', 'new_match');
    expect(match).toMatchObject({ ticker: 'NEW-1', rank: 1, item: { title: 'Hit NEW-1', price: '0.5000' } });
    // NEW-1 first moves every position of the first page down one.
    const changed = await client.nextEvent((e) => e.type === 'feed_changed', 'feed_changed');
    expect(changed.tickers).toHaveLength(10);
    expect((changed.tickers as string[])[0]).toBe('NEW-1');
    const fresh = changed.tickers as string[];
    const moved = [...fresh.keys()].filter((i) => fresh[i] !== feed.items[i]!.ticker);
    expect(changed.positions).toEqual(moved);
    expect(moved.length).toBeGreaterThanOrEqual(3);

    // Within FEED_PUSH_MIN_SECONDS: another hit is a match, but the feed change waits.
    await putMarkets(api, [hit('NEW-2', 200_000)]);
    await client.nextEvent((e) => e.ticker === 'NEW-2', 'the second new_match');
    api.clock.advance(30_000);
    await putMarkets(api, [hit('NEW-3', 300_000)]);
    await client.nextEvent((e) => e.ticker === 'NEW-3', 'the third new_match');
    await client.nextEvent(
      (e) => e.type === 'feed_changed' && e.seq !== changed.seq,
      'a second feed_changed',
    );
    // The first page leads with the newest hits (diversity decides the rest of the order).
    expect(client.events().map((e) => [e.type, e.ticker ?? (e.tickers as string[])[0]])).toEqual([
      ['new_match', 'NEW-1'],
      ['feed_changed', 'NEW-1'],
      ['new_match', 'NEW-2'],
      ['new_match', 'NEW-3'],
      ['feed_changed', 'NEW-3'],
    ]);
    expect(client.events().some((e) => e.ticker === 'NEW-LOW')).toBe(false);
  });

  it('resumes from resume_from with exactly the missed events, and resets when the log no longer reaches back', async () => {
    const { api, feed, served } = await setUp({ config: { FEED_PUSH_RETAIN_SECONDS: 300 } });
    const first = await subscribe(api, feed.feedId);
    await putMarkets(api, [market(served[0]!, { lastPrice: 0.6 })]);
    await first.client.nextEvent((e) => e.seq === 1, 'event 1');
    first.client.close();
    await first.client.waitClosed();
    await putMarkets(api, [market(served[1]!, { lastPrice: 0.6 })]);
    await putMarkets(api, [market(served[2]!, { status: 'closed' })]);

    const again = await subscribe(api, feed.feedId, { resume_from: 1 });
    await again.client.nextEvent((e) => e.seq === 3, 'event 3');
    expect(again.reply.msg).toMatchObject({ seq: 3, feed_id: feed.feedId });
    expect(again.client.events().map((e) => [e.seq, e.type, e.ticker])).toEqual([
      [2, 'price_moved', served[1]],
      [3, 'market_closed', served[2]],
    ]);
    // Live events follow the replay without a gap.
    await putMarkets(api, [market(served[3]!, { lastPrice: 0.4 })]);
    await again.client.nextEvent((e) => e.seq === 4, 'event 4');
    again.client.close();

    // A seq the log never reached, then one it no longer holds.
    const unknown = await subscribe(api, feed.feedId, { resume_from: 99 });
    expect(await unknown.client.nextEvent((e) => e.type === 'reset', 'reset')).toMatchObject({
      reason: 'unknown_seq',
      seq: 4,
    });
    api.clock.advance(301_000);
    await putMarkets(api, [market(served[4]!, { lastPrice: 0.8 })]);
    const old = await subscribe(api, feed.feedId, { resume_from: 2 });
    expect(await old.client.nextEvent((e) => e.type === 'reset', 'reset')).toMatchObject({
      reason: 'too_old',
      seq: 5,
    });
    // Within the window the latest still replays.
    const recent = await subscribe(api, feed.feedId, { resume_from: 4 });
    expect((await recent.client.nextEvent((e) => e.seq === 5, 'event 5')).ticker).toBe(served[4]);
  });

  it('cuts off a consumer that stops reading (4008) while another on the same feed gets every event', async () => {
    const { api } = await setUp({ config: { FEED_PUSH_QUEUE_BYTES: 4096 } });
    // A 100-item first page, so each round of price moves is 100 events.
    const many = cryptoAndSportsMarkets(100, {
      volume24h: () => 50_000,
      openTime: new Date(TEST_END.getTime() - 10 * DAY_MS).toISOString(),
    }).map((m) => ({ ...m, ticker: `X-${m.ticker}`, eventTicker: `X-${m.eventTicker}`, lastPrice: 0.5 }));
    await putMarkets(api, many);
    const feed = (await (
      await fetch(`${api.url}/v1/users/user-9/feed?limit=100`, { headers: auth })
    ).json()) as {
      feedId: string;
      items: { ticker: string }[];
    };
    const served = new Set(feed.items.map((i) => i.ticker));
    const fast = await subscribe(api, feed.feedId, {}, 'user-9');
    const slow = await subscribe(api, feed.feedId, {}, 'user-9');
    const hub = api.composition.push.hub;
    expect(hub.stats.sinks).toBe(2);
    slow.client.ws.pause(); // stops reading: the kernel's buffers fill, then the server's queue
    let rounds = 0;
    while (hub.stats.sinks === 2 && rounds < 1000) {
      rounds++;
      const lastPrice = rounds % 2 ? 0.7 : 0.5;
      await putMarkets(
        api,
        many.map((m) => ({ ...m, lastPrice })),
      );
    }
    expect(hub.stats.sinks).toBe(1);
    const total = rounds * many.filter((m) => served.has(m.ticker)).length;
    await fast.client.nextEvent((e) => e.seq === total, `event ${total}`);
    expect(fast.client.events().map((e) => e.seq)).toEqual([...Array(total).keys()].map((i) => i + 1));
    slow.client.ws.resume();
    expect((await slow.client.waitClosed()).code).toBe(4008);
    expect(slow.client.events().length).toBeLessThan(total);
  });

  it('refuses a missing or wrong credential at the upgrade, and another user’s feed with a valid token', async () => {
    const { api, feed } = await setUp();
    await expect(SocketClient.open(api.url)).rejects.toThrow('upgrade refused: 401');
    await expect(SocketClient.open(api.url, token('user-1').slice(0, -2) + 'xx')).rejects.toThrow('401');
    await expect(
      SocketClient.open(api.url, token('user-1', new Date(TEST_NOW.getTime() - 1))),
    ).rejects.toThrow('401');
    const other = await SocketClient.open(api.url, token('user-2'));
    opened.push(other);
    const refused = await other.command(7, 'subscribe', {
      channels: ['feed'],
      user_id: 'user-1',
      feed_id: feed.feedId,
    });
    expect(refused).toMatchObject({ id: 7, type: 'error', msg: { code: 'forbidden', status: 403 } });
    // user-2's own subscription cannot name user-1's feed either.
    const mine = await other.command(8, 'subscribe', {
      channels: ['feed'],
      user_id: 'user-2',
      feed_id: feed.feedId,
    });
    expect(mine).toMatchObject({ id: 8, type: 'error', msg: { code: 'not_found', status: 404 } });
    // An API key may subscribe for anyone; bad commands name their field.
    const service = await SocketClient.open(api.url, API_KEY);
    opened.push(service);
    expect(
      await service.command(1, 'subscribe', { channels: ['feed'], user_id: 'user-1', feed_id: feed.feedId }),
    ).toMatchObject({ type: 'subscribed', msg: { sid: 1 } });
    expect(
      await service.command(2, 'subscribe', { channels: ['orderbook'], user_id: 'user-1' }),
    ).toMatchObject({
      type: 'error',
      msg: { code: 'invalid_request', details: [{ path: 'params.channels.0' }] },
    });
    expect(await service.command(3, 'unsubscribe', { sids: [1] })).toMatchObject({
      type: 'unsubscribed',
      sid: 1,
    });
  });

  it('beats: SSE comments and WebSocket pings, and a socket that stops answering pings is dropped', async () => {
    const { api, feed } = await setUp({ streamHeartbeatMs: 200 });
    const { client } = await subscribe(api, feed.feedId);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    const sse = (await SseClient.open(
      `${api.url}/v1/users/user-1/feed/stream?feed_id=${feed.feedId}&token=${token('user-1')}`,
    )) as SseClient;
    opened.push(sse);
    await sse.nextComment('heartbeat');
    // A client that answers its pings stays connected beat after beat.
    await until(() => (pings >= 3 ? pings : undefined), 'three pings');
    expect(client.closed).toBeUndefined();
    sse.close();
    // A client that stops reading (so never answers a ping) is terminated at the next beat.
    const hub = api.composition.push.hub;
    await until(() => (hub.stats.sinks === 1 ? true : undefined), 'the SSE stream to be gone');
    client.ws.pause();
    await until(() => (hub.stats.sinks === 0 ? true : undefined), 'the silent socket to be dropped');
    client.ws.resume();
    expect((await client.waitClosed()).code).toBe(1006);
  });

  it('closes streams with 1001 when the server shuts down', async () => {
    const { api, feed } = await setUp();
    const { client } = await subscribe(api, feed.feedId);
    opened.splice(opened.indexOf(api), 1);
    await api.close();
    expect((await client.waitClosed()).code).toBe(1001);
  });
});

describe('live feed pushes over Server-Sent Events', () => {
  const streamUrl = (api: Api, userId: string, query: string) =>
    `${api.url}/v1/users/${userId}/feed/stream?${query}`;

  it('streams events with ids, resumes from Last-Event-ID, and refuses another user’s token', async () => {
    const { api, feed, served } = await setUp();
    const sse = (await SseClient.open(
      streamUrl(api, 'user-1', `feed_id=${feed.feedId}&token=${token('user-1')}`),
    )) as SseClient;
    opened.push(sse);
    expect(await sse.next((e) => e.event === 'subscribed', 'subscribed')).toMatchObject({
      feedId: feed.feedId,
      seq: 0,
    });
    await putMarkets(api, [market(served[0]!, { status: 'closed' })]);
    expect(await sse.next((e) => e.event === 'market_closed', 'market_closed')).toMatchObject({
      id: '1',
      ticker: served[0],
      seq: 1,
    });
    sse.close();
    await putMarkets(api, [market(served[1]!, { lastPrice: 0.9 })]);

    const resumed = (await SseClient.open(streamUrl(api, 'user-1', `feed_id=${feed.feedId}`), {
      Authorization: `Bearer ${token('user-1')}`,
      'Last-Event-ID': '1',
    })) as SseClient;
    opened.push(resumed);
    expect(await resumed.next((e) => e.event === 'price_moved', 'price_moved')).toMatchObject({
      id: '2',
      ticker: served[1],
    });
    expect(resumed.events.filter((e) => e.event !== 'subscribed').map((e) => e.id)).toEqual(['2']);

    const forbidden = (await SseClient.open(
      streamUrl(api, 'user-1', `feed_id=${feed.feedId}&token=${token('user-2')}`),
    )) as Response;
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as Json).error).toMatchObject({ code: 'forbidden' });
    const anonymous = (await SseClient.open(streamUrl(api, 'user-1', `feed_id=${feed.feedId}`))) as Response;
    expect(anonymous.status).toBe(401);
    const badSeq = (await SseClient.open(streamUrl(api, 'user-1', `feed_id=${feed.feedId}`), {
      Authorization: `Bearer ${API_KEY}`,
      'Last-Event-ID': 'abc',
    })) as Response;
    expect(badSeq.status).toBe(400);
    expect(((await badSeq.json()) as Json).error).toMatchObject({
      details: [{ path: 'headers.last-event-id' }],
    });
  });

  it('without a feed_id, serves a first page for the stream and follows it', async () => {
    const { api } = await setUp();
    const sse = (await SseClient.open(streamUrl(api, 'user-3', `token=${token('user-3')}`))) as SseClient;
    opened.push(sse);
    const subscribed = await sse.next((e) => e.event === 'subscribed', 'subscribed');
    const snapshot = await api.feed.servedFeed(subscribed.feedId as string);
    expect(snapshot?.userId).toBe('user-3');
    await putMarkets(api, [market(snapshot!.items[0]!.ticker, { status: 'settled' })]);
    expect(await sse.next((e) => e.event === 'market_closed', 'market_closed')).toMatchObject({
      status: 'settled',
    });
  });
});

describe('the streams’ contract', () => {
  it('is served as AsyncAPI, naming every event type on both channels, and the SSE route is in OpenAPI', async () => {
    const api = await listenTestApi();
    opened.push(api);
    const doc = (await (await fetch(`${api.url}/asyncapi.json`)).json()) as {
      asyncapi: string;
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
    };
    expect(doc.asyncapi).toBe('3.0.0');
    const types = Object.keys(api.composition.push.hub.stats.events).sort();
    expect(Object.keys(doc.channels.feedEvents!.messages).sort()).toEqual(types);
    expect(Object.keys(doc.channels.feedSocket!.messages).sort()).toEqual(
      [...types, 'subscribe', 'unsubscribe'].sort(),
    );
    const openapi = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(openapi.paths).toHaveProperty(['/v1/users/{userId}/feed/stream']);
  });
});

describe('feed reads with FEED_REQUIRE_USER_TOKEN', () => {
  it('need that user’s token or an API key', async () => {
    const api = await listenTestApi({
      config: { SIBYL_USER_TOKEN_SECRET: SECRET, FEED_REQUIRE_USER_TOKEN: true },
    });
    opened.push(api);
    const get = (userId: string, credential?: string) =>
      fetch(
        `${api.url}/v1/users/${userId}/feed`,
        credential ? { headers: { Authorization: `Bearer ${credential}` } } : {},
      );
    expect((await get('user-1')).status).toBe(401);
    expect((await get('user-1', token('user-2'))).status).toBe(403);
    expect((await get('user-1', token('user-1'))).status).toBe(200);
    expect((await get('user-1', API_KEY)).status).toBe(200);
  });
});
