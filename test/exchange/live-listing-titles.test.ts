import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { LiveMarketData } from '../../src/ingest/market-data/live-market-data.js';
import { coll } from '../../src/store/collections.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';

const seconds = (ms: number) => Math.floor(ms / 1000);

/** A Kalshi-shaped stream that subscribes every channel asked for, then lists `listings` (lifecycle `created`). */
async function streamListing(
  listings: Record<string, unknown>[],
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const command = JSON.parse(String(data)) as { id: number; params: { channels: string[] } };
      command.params.channels.forEach((channel, i) =>
        socket.send(JSON.stringify({ id: command.id, type: 'subscribed', msg: { channel, sid: i + 1 } })),
      );
      listings.forEach((msg, i) =>
        socket.send(JSON.stringify({ type: 'market_lifecycle_v2', sid: 1, seq: i + 1, msg })),
      );
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const created = (ticker: string, eventTicker: string, meta: Record<string, unknown>) => ({
  market_ticker: ticker,
  event_type: 'created',
  open_ts: seconds(TEST_NOW.getTime() - 3_600_000),
  close_ts: seconds(TEST_NOW.getTime() + 86_400_000),
  additional_metadata: { event_ticker: eventTicker, ...meta },
});

describe('markets listed on the live stream', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('take their event’s title when Kalshi leaves theirs empty, as from REST or an import', async () => {
    const store = await openTestStore();
    await coll(store, 'events').insertOne({
      eventTicker: 'FED-26DEC',
      seriesTicker: 'FED',
      title: 'Fed rate after the December meeting?',
      category: 'Economics',
    } as never);
    const stream = await streamListing([
      created('FED-26DEC-T4.25', 'FED-26DEC', { title: '', yes_sub_title: 'Above 4.25%' }),
      created('RAIN-26DEC-T1', 'RAIN-26DEC', { title: '', yes_sub_title: 'Rain in NYC' }),
      created('FED-26DEC-T4.50', 'FED-26DEC', {
        title: 'Above 4.50% after December?',
        yes_sub_title: 'Above 4.50%',
      }),
    ]);
    closers.push(stream.close);
    const live = new LiveMarketData(store, { streamUrl: stream.url, now: () => TEST_NOW, statusSweepMs: 0 });
    live.start();
    closers.push(() => live.stop());
    const markets = coll(store, 'markets');
    const deadline = Date.now() + 10_000;
    while ((await markets.countDocuments({})) < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const byTicker = new Map((await markets.find({}).toArray()).map((m) => [m.ticker, m]));

    // The question is the event's; the market's own text is its outcome.
    expect(byTicker.get('FED-26DEC-T4.25')).toMatchObject({
      title: 'Fed rate after the December meeting?',
      subtitle: 'Above 4.25%',
    });
    // An event nobody knows yet: the outcome stands in as title, as an import does.
    expect(byTicker.get('RAIN-26DEC-T1')?.title).toBe('Rain in NYC');
    // A market with a title of its own keeps it.
    expect(byTicker.get('FED-26DEC-T4.50')).toMatchObject({
      title: 'Above 4.50% after December?',
      subtitle: 'Above 4.50%',
    });
  });
});
