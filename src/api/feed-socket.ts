import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { SibylError } from '../errors.js';
import type { PushEvent } from '../feed/push/push-events.js';
import type { PushHub, Subscription } from '../feed/push/push-hub.js';
import type { Logger } from '../log/logger.js';
import { bearerCredential, type userAuthorizer } from './auth.js';
import { errorBody, STATUS_BY_CODE } from './errors.js';
import type { StreamConnection, StreamConnections } from './stream-connections.js';
import { feedSubscriptionParams, subscribeRequest, userIdParam } from './stream-params.js';

/** The WebSocket endpoint's path. */
export const FEED_SOCKET_PATH = '/v1/stream';

/** Close codes (docs/streams.md): a client too slow to read its queue; the server going away. */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_GOING_AWAY = 1001;

export interface FeedSocketDeps {
  hub: PushHub;
  authorize: ReturnType<typeof userAuthorizer>;
  connections: StreamConnections;
  queueBytes: number;
  logger?: Logger;
}

/** Commands, Kalshi-style: `{"id":1,"cmd":"subscribe","params":{…}}`. */
const command = z.discriminatedUnion('cmd', [
  z.object({
    id: z.number().int().min(0),
    cmd: z.literal('subscribe'),
    params: feedSubscriptionParams.extend({
      channels: z.array(z.literal('feed')).min(1),
      user_id: userIdParam,
    }),
  }),
  z.object({
    id: z.number().int().min(0),
    cmd: z.literal('unsubscribe'),
    params: z.object({ sids: z.array(z.number().int().min(1)).min(1) }),
  }),
]);

/**
 * `/v1/stream`: feed subscriptions over one WebSocket. The credential (API key or user token) comes
 * with the upgrade, as `Authorization: Bearer …` or `?token=` (browsers cannot set headers); a
 * user token subscribes to its own user's feeds only.
 */
export class FeedSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  constructor(private readonly deps: FeedSocketDeps) {}

  /** For the HTTP server's `upgrade` event on FEED_SOCKET_PATH. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const credential = bearerCredential(req.headers.authorization, url.searchParams.get('token'), true);
    try {
      if (this.deps.connections.isDraining)
        throw new SibylError('unavailable', 'This replica is shutting down: reconnect');
      // Which user a key or token may act for is checked per subscription; here it must be valid.
      this.deps.authorize(credential);
    } catch (err) {
      refuseUpgrade(socket, err instanceof SibylError ? err : new SibylError('internal', 'Internal error'));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, credential));
  }

  private accept(ws: WebSocket, credential: string | undefined): void {
    const subscriptions = new Map<number, Subscription>();
    let nextSid = 1;
    let alive = true;
    const unsubscribeAll = () => {
      for (const s of subscriptions.values()) s.unsubscribe();
      subscriptions.clear();
    };
    const send = (message: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      const text = JSON.stringify(message);
      // A client not reading its socket: cut off rather than buffer without bound.
      if (ws.bufferedAmount + text.length > this.deps.queueBytes) {
        unsubscribeAll();
        ws.close(CLOSE_SLOW_CONSUMER, 'slow consumer: send queue full');
        return;
      }
      ws.send(text);
    };
    const connection: StreamConnection = {
      heartbeat: () => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      },
      drain: () => {
        unsubscribeAll();
        ws.close(CLOSE_GOING_AWAY, 'server shutting down');
      },
    };
    const forget = this.deps.connections.add(connection);
    ws.on('pong', () => (alive = true));
    ws.on('close', () => {
      unsubscribeAll();
      forget();
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData) => {
      void this.onMessage(data, {
        credential,
        subscriptions,
        send,
        sid: () => nextSid++,
        isOpen: () => ws.readyState === ws.OPEN,
      });
    });
  }

  private async onMessage(
    data: RawData,
    ctx: {
      credential: string | undefined;
      subscriptions: Map<number, Subscription>;
      send: (message: unknown) => void;
      sid: () => number;
      isOpen: () => boolean;
    },
  ): Promise<void> {
    let id: number | undefined;
    try {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        throw new SibylError('invalid_json', 'Message is not valid JSON', [
          { path: 'message', message: 'malformed JSON' },
        ]);
      }
      id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : undefined;
      const parsed = command.safeParse(json);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({
          path: i.path.map(String).join('.'),
          message: i.message,
        }));
        throw new SibylError(
          'invalid_request',
          `Invalid command: ${details.map((d) => d.path).join(', ')}`,
          details,
        );
      }
      const cmd = parsed.data;
      if (cmd.cmd === 'unsubscribe') {
        for (const sid of cmd.params.sids) {
          ctx.subscriptions.get(sid)?.unsubscribe();
          if (ctx.subscriptions.delete(sid)) ctx.send({ id: cmd.id, sid, type: 'unsubscribed' });
        }
        return;
      }
      const { user_id: userId } = cmd.params;
      this.deps.authorize(ctx.credential, userId);
      const sid = ctx.sid();
      const subscription = await this.deps.hub.subscribe(subscribeRequest(userId, cmd.params, 'params'), {
        send: (event: PushEvent) => ctx.send({ type: event.type, sid, seq: event.seq, msg: event }),
      });
      // The socket may have closed while the subscription was set up: nothing would end it then.
      if (!ctx.isOpen()) {
        subscription.unsubscribe();
        return;
      }
      ctx.subscriptions.set(sid, subscription);
      ctx.send({
        id: cmd.id,
        type: 'subscribed',
        msg: { channel: 'feed', sid, feed_id: subscription.feedId, seq: subscription.seq },
      });
    } catch (err) {
      const known = err instanceof SibylError ? err : new SibylError('internal', 'Internal error');
      if (known.code === 'internal') this.deps.logger?.error({ err }, 'feed socket: command failed');
      ctx.send({
        ...(id === undefined ? {} : { id }),
        type: 'error',
        msg: { ...errorBody(known).error, status: STATUS_BY_CODE[known.code] },
      });
    }
  }

  /** Closes the server side (connections are drained through StreamConnections). */
  close(): void {
    this.wss.close();
  }
}

function refuseUpgrade(socket: Duplex, err: SibylError): void {
  const body = JSON.stringify(errorBody(err));
  const status = STATUS_BY_CODE[err.code];
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Error'}\r\n` +
      'Content-Type: application/json\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
