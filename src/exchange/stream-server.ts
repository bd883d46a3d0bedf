import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  eventLifecycleMessage,
  lifecycleMessage,
  tickerMessage,
  tradeId,
  tradeMessage,
  type LifecycleType,
} from './kalshi-shapes.js';
import type { ExchangeChange, LiveExchange } from './live-exchange.js';

/**
 * Kalshi's market-data WebSocket (`/trade-api/ws/v2`): `subscribe`, `unsubscribe`,
 * `update_subscription` and `list_subscriptions` commands; the `ticker`, `trade` and
 * `market_lifecycle_v2` channels, one `sid` per channel subscribed; lifecycle messages numbered by
 * `seq` per subscription (ticker and trade carry none, as on Kalshi); ping frames with body
 * `heartbeat` every 10 s; errors as `{ id, type: "error", msg: { code, msg } }` with Kalshi's codes.
 */

export const CHANNELS = ['ticker', 'trade', 'market_lifecycle_v2'] as const;
type Channel = (typeof CHANNELS)[number];

const ERRORS = {
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Subscription IDs required',
  5: 'Unknown command',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
} as const;
type ErrorCode = keyof typeof ERRORS;

class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
  ) {
    super(ERRORS[code]);
  }
}

interface Subscription {
  sid: number;
  channel: Channel;
  /** Markets of a ticker or trade subscription; undefined: every market. */
  tickers?: Set<string>;
  seq: number;
}

export interface StreamServerOptions {
  /** Milliseconds between heartbeat pings. @defaultValue 10000 */
  heartbeatMs?: number;
}

export class KalshiStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<StreamConnection>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Lifecycle messages still to be withheld from every subscription (a test's way to cause a gap). */
  private withhold = 0;

  constructor(
    private readonly exchange: LiveExchange,
    options: StreamServerOptions = {},
  ) {
    this.wss.on('connection', (ws) => {
      const connection = new StreamConnection(ws, exchange);
      this.connections.add(connection);
      ws.on('close', () => this.connections.delete(connection));
    });
    this.heartbeat = setInterval(() => {
      for (const c of this.connections) c.ping();
    }, options.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  /** Takes over an HTTP upgrade to the stream's path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  get clients(): number {
    return this.connections.size;
  }

  /** Sends what the exchange's step produced to every subscription it concerns. */
  publish(changes: ExchangeChange[]): void {
    if (changes.length === 0 || this.connections.size === 0) return;
    const messages = changes.map((change) => this.toMessage(change));
    for (const message of messages) {
      if (!message) continue;
      const withheld = message.channel === 'market_lifecycle_v2' && this.withhold > 0;
      if (withheld) this.withhold--;
      for (const c of this.connections) c.deliver(message, withheld);
    }
  }

  /** Drops every connection abruptly, as a network failure would. */
  dropAll(): number {
    const n = this.connections.size;
    for (const c of this.connections) c.terminate();
    return n;
  }

  /** Withholds the next `count` lifecycle messages (their `seq` still advances): subscribers see a gap. */
  withholdLifecycle(count: number): void {
    this.withhold += count;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.connections) c.terminate();
    this.wss.close();
  }

  private toMessage(change: ExchangeChange): OutboundMessage | undefined {
    const ex = this.exchange;
    switch (change.kind) {
      case 'ticker':
        return {
          channel: 'ticker',
          type: 'ticker',
          ticker: change.live.market.ticker,
          msg: tickerMessage(change.live, change.ms),
        };
      case 'trade':
        return {
          channel: 'trade',
          type: 'trade',
          ticker: change.live.market.ticker,
          msg: tradeMessage(change.live, change.trade, tradeId(ex.seedValue, change.id)),
        };
      case 'event_created':
        return {
          channel: 'market_lifecycle_v2',
          type: 'event_lifecycle',
          msg: eventLifecycleMessage(ex, change.event),
        };
      default:
        return {
          channel: 'market_lifecycle_v2',
          type: 'market_lifecycle_v2',
          ticker: change.live.market.ticker,
          msg: lifecycleMessage(ex, change.live, change.kind as LifecycleType, change.ms),
        };
    }
  }
}

interface OutboundMessage {
  channel: Channel;
  type: string;
  /** The market it concerns (lifecycle messages go to every lifecycle subscription regardless). */
  ticker?: string;
  msg: Record<string, unknown>;
}

/** One client's connection: its subscriptions and their sequence numbers. */
class StreamConnection {
  private readonly subscriptions = new Map<number, Subscription>();
  private nextSid = 1;
  private alive = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly exchange: LiveExchange,
  ) {
    ws.on('message', (data) => this.onMessage(data));
    ws.on('pong', () => (this.alive = true));
    ws.on('error', () => ws.terminate());
  }

  ping(): void {
    // A peer that answered none of the last heartbeat is gone.
    if (!this.alive) return this.terminate();
    this.alive = false;
    this.ws.ping('heartbeat');
  }

  terminate(): void {
    this.ws.terminate();
  }

  deliver(message: OutboundMessage, withheld: boolean): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.channel !== message.channel) continue;
      if (message.channel !== 'market_lifecycle_v2' && sub.tickers && !sub.tickers.has(message.ticker!))
        continue;
      if (message.channel === 'market_lifecycle_v2') {
        sub.seq++;
        if (withheld) continue;
        this.send({ type: message.type, sid: sub.sid, seq: sub.seq, msg: message.msg });
      } else {
        this.send({ type: message.type, sid: sub.sid, msg: message.msg });
      }
    }
  }

  private send(body: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(body));
  }

  private onMessage(data: RawData): void {
    let command: { id?: unknown; cmd?: unknown; params?: unknown };
    try {
      command = JSON.parse(data.toString()) as typeof command;
      if (command === null || typeof command !== 'object') throw new Error('not an object');
    } catch {
      return this.send({ type: 'error', msg: { code: 1, msg: ERRORS[1] } });
    }
    const id = typeof command.id === 'number' && command.id > 0 ? command.id : undefined;
    try {
      switch (command.cmd) {
        case 'subscribe':
          return this.subscribe(id, params(command.params));
        case 'unsubscribe':
          return this.unsubscribe(id, params(command.params));
        case 'update_subscription':
          return this.update(id, params(command.params));
        case 'list_subscriptions':
          return this.send({
            id,
            type: 'ok',
            msg: [...this.subscriptions.values()].map((s) => ({ channel: s.channel, sid: s.sid })),
          });
        default:
          throw new CommandError(5);
      }
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      this.send({
        ...(id ? { id } : {}),
        type: 'error',
        msg: { code: err.code, msg: err.detail ? `${err.message}: ${err.detail}` : err.message },
      });
    }
  }

  private subscribe(id: number | undefined, p: Record<string, unknown>): void {
    const channels = p.channels;
    if (!Array.isArray(channels) || channels.length === 0) throw new CommandError(3);
    const unknown = channels.find((c) => !CHANNELS.includes(c as Channel));
    if (unknown !== undefined) throw new CommandError(8, String(unknown));
    const tickers = marketTickers(p);
    for (const channel of channels as Channel[]) {
      const sub: Subscription = {
        sid: this.nextSid++,
        channel,
        // Lifecycle subscriptions take no market filter (Kalshi: not supported).
        ...(channel !== 'market_lifecycle_v2' && tickers ? { tickers: new Set(tickers) } : {}),
        seq: 0,
      };
      this.subscriptions.set(sub.sid, sub);
      this.send({ ...(id ? { id } : {}), type: 'subscribed', msg: { channel, sid: sub.sid } });
      if (channel === 'ticker' && p.send_initial_snapshot === true && tickers) {
        const now = this.exchange.now();
        for (const ticker of tickers) {
          const live = this.exchange.markets.get(ticker);
          if (live?.listed) this.send({ type: 'ticker', sid: sub.sid, msg: tickerMessage(live, now) });
        }
      }
    }
  }

  private unsubscribe(id: number | undefined, p: Record<string, unknown>): void {
    const sids = p.sids;
    if (!Array.isArray(sids) || sids.length === 0) throw new CommandError(4);
    for (const sid of sids) {
      const sub = this.subscriptions.get(Number(sid));
      if (!sub) throw new CommandError(7, String(sid));
      this.subscriptions.delete(sub.sid);
      this.send({ ...(id ? { id } : {}), sid: sub.sid, seq: sub.seq + 1, type: 'unsubscribed' });
    }
  }

  private update(id: number | undefined, p: Record<string, unknown>): void {
    if (p.action === undefined) throw new CommandError(15);
    if (p.action !== 'add_markets' && p.action !== 'delete_markets') throw new CommandError(13);
    const sids = p.sid !== undefined ? [p.sid] : p.sids;
    if (!Array.isArray(sids) || sids.length !== 1 || (p.sid !== undefined && p.sids !== undefined))
      throw new CommandError(12);
    const sub = this.subscriptions.get(Number(sids[0]));
    if (!sub) throw new CommandError(7, String(sids[0]));
    const tickers = marketTickers(p);
    if (!tickers) throw new CommandError(14);
    if (sub.channel === 'market_lifecycle_v2') throw new CommandError(11, 'lifecycle takes no markets');
    sub.tickers ??= new Set();
    for (const t of tickers) {
      if (p.action === 'add_markets') sub.tickers.add(t);
      else sub.tickers.delete(t);
    }
    // `seq` is the subscription's latest: an update is not a message of the stream, so no gap follows.
    this.send({
      ...(id ? { id } : {}),
      sid: sub.sid,
      seq: sub.seq,
      type: 'ok',
      msg: { market_tickers: [...sub.tickers] },
    });
  }
}

function params(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CommandError(2);
  return value as Record<string, unknown>;
}

/** `market_ticker` or `market_tickers`, never both; undefined when neither is given. */
function marketTickers(p: Record<string, unknown>): string[] | undefined {
  if (p.market_ticker !== undefined && p.market_tickers !== undefined)
    throw new CommandError(11, 'market_ticker and market_tickers are mutually exclusive');
  if (typeof p.market_ticker === 'string') return [p.market_ticker];
  if (p.market_ticker !== undefined) throw new CommandError(11, 'market_ticker');
  if (p.market_tickers === undefined) return undefined;
  if (
    !Array.isArray(p.market_tickers) ||
    p.market_tickers.length === 0 ||
    p.market_tickers.some((t) => typeof t !== 'string')
  )
    throw new CommandError(11, 'market_tickers');
  return p.market_tickers as string[];
}
