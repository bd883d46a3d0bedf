import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInput, marketInput, seriesInput } from '../../src/domain/schemas.js';
import { ManualClock } from '../../src/exchange/clock.js';
import {
  REST_PATH,
  STREAM_PATH,
  startExchange,
  type RunningExchange,
} from '../../src/exchange/exchange-server.js';
import { fromKalshi } from '../../src/ingest/import/kalshi.js';
import {
  createdMarket,
  lifecycleMessage,
  quoteUpdate,
  tickerMessage,
} from '../../src/ingest/market-data/kalshi-messages.js';
import { HOUR_MS, TEST_NOW } from '../helpers/fixed-clock.js';

type Json = Record<string, unknown>;
const DOCS = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/kalshi-documented.json'), 'utf8'),
) as {
  rest: Record<string, Json & string[]>;
  ws: Record<string, Json>;
};

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every field of the documented object is on ours, with the same JSON type. */
function sameFields(ours: Json, documented: Json, path = ''): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(documented)) {
    if (!(key in ours)) problems.push(`${path}${key}: missing`);
    else if (jsonType(ours[key]) !== jsonType(value))
      problems.push(`${path}${key}: ${jsonType(ours[key])}, documented ${jsonType(value)}`);
    else if (jsonType(value) === 'object' && key !== 'msg')
      problems.push(...sameFields(ours[key] as Json, value as Json, `${path}${key}.`));
  }
  return problems;
}

/** Kalshi's fixed-point formats: dollars with up to 6 decimals, counts with exactly 2. */
function formatProblems(object: Json): string[] {
  return Object.entries(object).flatMap(([key, value]) => {
    if (key.endsWith('_dollars') && !/^\d+\.\d{1,6}$/.test(String(value))) return [`${key}=${String(value)}`];
    if (key.endsWith('_fp') && !/^\d+\.\d{2}$/.test(String(value))) return [`${key}=${String(value)}`];
    if ((key.endsWith('_time') || key === 'last_updated_ts') && Number.isNaN(Date.parse(String(value))))
      return [`${key}=${String(value)}`];
    return [];
  });
}

describe('the simulated exchange speaks Kalshi’s documented shapes', () => {
  const clock = new ManualClock(TEST_NOW.getTime());
  let exchange: RunningExchange;
  const get = async (path: string) => {
    const res = await fetch(`${exchange.url}${REST_PATH}${path}`);
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    exchange = await startExchange({ seed: 3, clock, stepMs: 0, historyDays: 2, aheadDays: 2 });
  });
  afterAll(() => exchange.close());

  it('serves markets, events (with nested markets) and series field by field as documented', async () => {
    const { body: page } = await get('/markets?limit=25');
    expect(Object.keys(page).sort()).toEqual(['cursor', 'markets']);
    const markets = page.markets as Json[];
    expect(markets).toHaveLength(25);
    for (const market of markets) {
      expect(sameFields(market, DOCS.rest.market!)).toEqual([]);
      expect(DOCS.rest.market_required!.filter((k) => !(k in market))).toEqual([]);
      expect(DOCS.rest.market_status_values).toContain(market.status);
      expect(formatProblems(market)).toEqual([]);
    }
    const { body: events } = await get('/events?limit=3&with_nested_markets=true');
    for (const event of events.events as Json[]) {
      expect(sameFields(event, DOCS.rest.event!)).toEqual([]);
      expect(DOCS.rest.event_required!.filter((k) => !(k in event))).toEqual([]);
      for (const nested of event.markets as Json[]) expect(nested.event_ticker).toBe(event.event_ticker);
    }
    const { body: series } = await get('/series');
    expect((series.series as Json[]).length).toBeGreaterThan(10);
    for (const s of series.series as Json[]) {
      expect(sameFields(s, DOCS.rest.series!)).toEqual([]);
      expect(DOCS.rest.series_required!.filter((k) => !(k in s))).toEqual([]);
    }
    const { body: one } = await get(`/series/${(series.series as Json[])[0]!.ticker as string}`);
    expect(Object.keys(one)).toEqual(['series']);
  });

  it('filters by status as the docs map it, pages by cursor, and answers bad queries with Kalshi’s error body', async () => {
    const all: Json[] = [];
    let cursor = '';
    do {
      const { body } = await get(`/markets?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...(body.markets as Json[]));
      cursor = body.cursor as string;
    } while (cursor);
    expect(new Set(all.map((m) => m.ticker)).size).toBe(all.length);
    expect(all.length).toBe(exchange.exchange.listed().length);
    const open = (await get('/markets?status=open&limit=1000')).body.markets as Json[];
    expect(open.length).toBeGreaterThan(0);
    expect(new Set(open.map((m) => m.status))).toEqual(new Set(['active']));
    const unopened = (await get('/markets?status=unopened&limit=1000')).body.markets as Json[];
    expect(new Set(unopened.map((m) => m.status))).toEqual(new Set(['initialized']));

    const bad = await get('/markets?limit=5000');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['code', 'details', 'message']);
    expect((await get('/markets?status=active')).status).toBe(400);
    expect((await get('/markets/NOPE')).status).toBe(404);
  });

  it('imports its own objects, and the documented ones, through Sibyl’s Kalshi mapping', async () => {
    const market = ((await get('/markets?status=open&limit=1')).body.markets as Json[])[0]!;
    const event = ((await get('/events?limit=1')).body.events as Json[])[0]!;
    for (const [schema, type, object] of [
      [marketInput, 'markets', market],
      [marketInput, 'markets', DOCS.rest.market],
      [eventInput, 'events', event],
      [eventInput, 'events', DOCS.rest.event],
      [seriesInput, 'series', DOCS.rest.series],
    ] as const) {
      const mapped = fromKalshi(type, object as Json).value;
      const parsed = schema.safeParse(mapped);
      expect(parsed.error?.issues ?? [], `${type} ${String((object as Json).ticker ?? '')}`).toEqual([]);
    }
    expect(marketInput.parse(fromKalshi('markets', DOCS.rest.market as Json).value)).toMatchObject({
      ticker: 'INXD-23SEP14-B4487',
      status: 'open',
      yesBid: 0.56,
      yesAsk: 0.58,
      volume24h: 1250,
    });
  });

  it('streams subscriptions, data messages and errors in the documented shapes', async () => {
    const ws = new WebSocket(`${exchange.url.replace('http', 'ws')}${STREAM_PATH}`);
    const received: Json[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Json));
    await new Promise((resolve) => ws.once('open', resolve));
    /** The replies to a command: messages carrying its id (an unreadable one's error carries none). */
    const reply = async (command: unknown, count = 1) => {
      const id = typeof command === 'string' ? undefined : (command as { id: number }).id;
      const mine = (m: Json) => (id === undefined ? m.type === 'error' && !('id' in m) : m.id === id);
      ws.send(typeof command === 'string' ? command : JSON.stringify(command));
      for (let i = 0; i < 200 && received.filter(mine).length < count; i++)
        await new Promise((r) => setTimeout(r, 10));
      return received.filter(mine);
    };

    const subscribed = await reply(
      { id: 1, cmd: 'subscribe', params: { channels: ['ticker', 'trade', 'market_lifecycle_v2'] } },
      3,
    );
    for (const s of subscribed) expect(sameFields(s, DOCS.ws.subscribed!)).toEqual([]);
    expect(subscribed.map((s) => (s.msg as Json).channel)).toEqual([
      'ticker',
      'trade',
      'market_lifecycle_v2',
    ]);
    const [tickerSid, , lifecycleSid] = subscribed.map((s) => (s.msg as Json).sid as number);

    // Half a day later: trades, quotes, listings and results have happened.
    clock.advance(12 * HOUR_MS);
    exchange.step();
    const types = ['ticker', 'trade', 'market_lifecycle_v2'];
    for (let i = 0; i < 200 && !types.every((t) => received.some((m) => m.type === t)); i++)
      await new Promise((r) => setTimeout(r, 10));
    const ticker = received.find((m) => m.type === 'ticker')!;
    const trade = received.find((m) => m.type === 'trade')!;
    expect(
      sameFields(ticker, { ...DOCS.ws.ticker!, sending_ts_ms: undefined } as Json).filter(
        (p) => !p.startsWith('sending_ts_ms'),
      ),
    ).toEqual([]);
    expect(sameFields(ticker.msg as Json, DOCS.ws.ticker!.msg as Json)).toEqual([]);
    expect(sameFields(trade.msg as Json, DOCS.ws.trade!.msg as Json)).toEqual([]);
    expect(ticker.sid).toBe(tickerSid);
    expect('seq' in ticker || 'seq' in trade).toBe(false);
    expect(formatProblems(ticker.msg as Json)).toEqual([]);
    expect(tickerMessage.safeParse(DOCS.ws.ticker!.msg).success).toBe(true);
    expect(quoteUpdate(tickerMessage.parse(DOCS.ws.ticker!.msg))).toEqual({
      ticker: 'FED-23DEC-T3.00',
      yesBid: 0.45,
      yesAsk: 0.53,
      lastPrice: 0.48,
      volume: 33896,
      openInterest: 20422,
    });

    // Lifecycle messages are numbered per subscription, without gaps.
    const lifecycle = received.filter((m) => m.sid === lifecycleSid);
    expect(lifecycle.length).toBeGreaterThan(0);
    expect(lifecycle.map((m) => m.seq)).toEqual(lifecycle.map((_, i) => i + 1));
    const created = lifecycle.find((m) => (m.msg as Json).event_type === 'created');
    expect(created).toBeDefined();
    expect(
      sameFields(created!.msg as Json, DOCS.ws.market_lifecycle_v2_created!.msg as Json).filter(
        (p) => !/strike/.test(p),
      ),
    ).toEqual([]);
    const documentedCreated = createdMarket(
      lifecycleMessage.parse(DOCS.ws.market_lifecycle_v2_created!.msg),
      new Date('2023-09-14T00:00:00Z'),
    );
    expect(marketInput.safeParse(documentedCreated).success).toBe(true);

    const updated = (
      await reply({
        id: 4,
        cmd: 'update_subscription',
        params: { sids: [tickerSid], market_tickers: ['A-1', 'B-2'], action: 'add_markets' },
      })
    )[0]!;
    expect(sameFields(updated, DOCS.ws.update_ok!)).toEqual([]);
    const listed = (await reply({ id: 5, cmd: 'list_subscriptions' }))[0]!;
    expect(sameFields(listed, DOCS.ws.list_ok!)).toEqual([]);
    expect((listed.msg as Json[]).map((s) => s.channel)).toEqual(['ticker', 'trade', 'market_lifecycle_v2']);
    const unsubscribed = (await reply({ id: 6, cmd: 'unsubscribe', params: { sids: [tickerSid] } }))[0]!;
    expect(sameFields(unsubscribed, DOCS.ws.unsubscribed!)).toEqual([]);

    const errors = [
      [{ id: 7, cmd: 'subscribe' }, 2],
      [{ id: 8, cmd: 'subscribe', params: {} }, 3],
      [{ id: 9, cmd: 'subscribe', params: { channels: ['fill'] } }, 8],
      [{ id: 10, cmd: 'unsubscribe', params: {} }, 4],
      [{ id: 11, cmd: 'unsubscribe', params: { sids: [999] } }, 7],
      [{ id: 12, cmd: 'dance' }, 5],
      [{ id: 13, cmd: 'update_subscription', params: { sids: [1] } }, 15],
      [{ id: 14, cmd: 'update_subscription', params: { sids: [1, 2], action: 'add_markets' } }, 12],
      ['{not json', 1],
    ] as const;
    for (const [command, code] of errors) {
      const error = (await reply(command))[0]!;
      expect(
        sameFields(error, typeof command === 'string' ? { type: 'error', msg: {} } : DOCS.ws.error!),
      ).toEqual([]);
      expect((error.msg as Json).code, JSON.stringify(command)).toBe(code);
    }
    ws.close();
  });
});
