import Emittery from 'emittery';
import WebSocket from 'ws';
import type { Logger } from '../../log/logger.js';
import { envelope, type Envelope } from './kalshi-messages.js';

/**
 * A client of a Kalshi-shaped market-data WebSocket that stays connected: it subscribes to its
 * channels on every connection, reconnects with exponential backoff (and jitter) when the connection
 * drops or goes quiet, and watches the lifecycle channel's `seq` per subscription for gaps.
 *
 * Consumers hear `subscribed` once every channel of a connection is subscribed (anything published
 * while it was down is lost, so a consumer resyncs then), `gap` when a subscription skips sequence
 * numbers, and `message` for every data message.
 */

export interface StreamClientOptions {
  url: string;
  channels: string[];
  logger?: Logger;
  /** First delay before reconnecting; doubled on each failed attempt. @defaultValue 500 */
  minBackoffMs?: number;
  /** @defaultValue 30000 */
  maxBackoffMs?: number;
  /** Without any frame (data or heartbeat) for this long the connection is presumed dead. @defaultValue 30000 */
  idleTimeoutMs?: number;
  /** Headers of the WebSocket handshake (Kalshi's key and signature, where needed). */
  headers?: Record<string, string>;
}

export interface StreamClientEvents {
  message: Envelope;
  subscribed: { connection: number };
  gap: { sid: number; expected: number; received: number };
  disconnected: { reason: string };
}

export class KalshiStreamClient extends Emittery<StreamClientEvents> {
  private ws: WebSocket | undefined;
  private stopped = true;
  private failures = 0;
  private connections = 0;
  private idle: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Last `seq` seen per subscription of the current connection. */
  private seqs = new Map<number, number>();
  private pendingChannels = new Set<string>();
  private connected = false;

  constructor(private readonly options: StreamClientOptions) {
    super();
  }

  /** Subscribed on a live connection right now. */
  get isSubscribed(): boolean {
    return this.connected && this.pendingChannels.size === 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.idle);
    this.ws?.terminate();
    this.ws = undefined;
  }

  private connect(): void {
    const ws = new WebSocket(this.options.url, { headers: this.options.headers });
    this.ws = ws;
    const connection = ++this.connections;
    this.seqs = new Map();
    ws.on('open', () => {
      this.connected = true;
      this.pendingChannels = new Set(this.options.channels);
      this.touch();
      ws.send(
        JSON.stringify({ id: connection, cmd: 'subscribe', params: { channels: this.options.channels } }),
      );
    });
    ws.on('ping', () => this.touch()); // ws answers pings with pongs itself
    ws.on('message', (data) => {
      this.touch();
      this.onFrame(data.toString(), connection);
    });
    ws.on('error', (err) => this.options.logger?.debug({ err }, 'market stream: connection error'));
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.connected = false;
      clearTimeout(this.idle);
      void this.emit('disconnected', { reason: `closed (${code})` });
      this.scheduleReconnect();
    });
  }

  private onFrame(text: string, connection: number): void {
    let parsed: Envelope;
    try {
      parsed = envelope.parse(JSON.parse(text));
    } catch {
      this.options.logger?.warn({ frame: text.slice(0, 200) }, 'market stream: unreadable message ignored');
      return;
    }
    if (parsed.type === 'subscribed') {
      const channel = (parsed.msg as { channel?: string } | undefined)?.channel;
      if (channel) this.pendingChannels.delete(channel);
      if (this.pendingChannels.size === 0) {
        this.failures = 0;
        void this.emit('subscribed', { connection });
      }
      return;
    }
    if (parsed.type === 'error') {
      this.options.logger?.warn({ error: parsed.msg }, 'market stream: the exchange refused a command');
      return;
    }
    if (parsed.sid !== undefined && parsed.seq !== undefined) {
      const last = this.seqs.get(parsed.sid);
      if (last !== undefined && parsed.seq !== last + 1)
        void this.emit('gap', { sid: parsed.sid, expected: last + 1, received: parsed.seq });
      this.seqs.set(parsed.sid, parsed.seq);
    }
    void this.emit('message', parsed);
  }

  /** A frame arrived: the connection is alive for another idle period. */
  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.options.logger?.warn('market stream: no message or heartbeat, reconnecting');
      this.ws?.terminate();
    }, this.options.idleTimeoutMs ?? 30_000);
    this.idle.unref();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.options.minBackoffMs ?? 500;
    const base = Math.min(this.options.maxBackoffMs ?? 30_000, min * 2 ** this.failures++);
    // Full jitter: replicas that lost the exchange together do not come back together.
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.options.logger?.info({ delayMs: delay, attempt: this.failures }, 'market stream: reconnecting');
    this.retry = setTimeout(() => this.connect(), delay);
    this.retry.unref();
  }
}
