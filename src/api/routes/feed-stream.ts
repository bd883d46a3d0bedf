import { Router, type Response } from 'express';
import { z } from 'zod';
import { SibylError } from '../../errors.js';
import type { PushHub } from '../../feed/push/push-hub.js';
import type { PushEvent } from '../../feed/push/push-events.js';
import { requireUserOrApiKey, type userAuthorizer } from '../auth.js';
import { handle } from '../handler.js';
import type { StreamConnections } from '../stream-connections.js';
import { feedSubscriptionParams, subscribeRequest, userIdParam } from '../stream-params.js';

export interface FeedStreamDeps {
  hub: PushHub;
  authorize: ReturnType<typeof userAuthorizer>;
  connections: StreamConnections;
  /** FEED_PUSH_QUEUE_BYTES: unsent bytes past which a slow consumer is disconnected. */
  queueBytes: number;
}

export const feedStreamQuery = feedSubscriptionParams.extend({
  token: z
    .string()
    .max(4096)
    .optional()
    .describe("The user's token, for EventSource (which cannot send headers); or Authorization: Bearer"),
  last_event_id: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Where to resume when the Last-Event-ID header cannot be set (a first connection)'),
});

/** One event as SSE: `id` is its seq (what the browser sends back as Last-Event-ID). */
const sse = (event: PushEvent) =>
  `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * `GET /v1/users/{userId}/feed/stream`: the feed's live events as Server-Sent Events. Resumes from
 * Last-Event-ID (the browser sends it on reconnect), sends `: heartbeat` every 15 s, and ends the
 * response of a client that lets more than FEED_PUSH_QUEUE_BYTES pile up.
 */
export function feedStreamRoutes(deps: FeedStreamDeps): Router {
  const router = Router();
  router.get(
    '/users/:userId/feed/stream',
    requireUserOrApiKey(deps.authorize, { allowQueryToken: true }),
    handle(
      { params: z.object({ userId: userIdParam }), query: feedStreamQuery },
      async ({ params, query, req, res }) => {
        if (deps.connections.isDraining)
          throw new SibylError('unavailable', 'This replica is shutting down: reconnect', [
            { path: 'server', message: 'draining' },
          ]);
        const lastEventId = req.headers['last-event-id'];
        const resumeHeader = lastEventId === undefined ? undefined : Number(lastEventId);
        if (resumeHeader !== undefined && !(Number.isInteger(resumeHeader) && resumeHeader >= 0))
          throw new SibylError('invalid_request', 'Last-Event-ID must be a seq (a whole number)', [
            { path: 'headers.last-event-id', message: 'not a whole number' },
          ]);
        const request = subscribeRequest(
          params.userId,
          { ...query, resume_from: resumeHeader ?? query.resume_from ?? query.last_event_id },
          'query',
        );
        const stream = new SseStream(res, deps.queueBytes);
        const subscription = await deps.hub.subscribe(request, stream);
        // The client may have gone while the subscription was set up: its 'close' has been and gone.
        if (req.socket.destroyed) {
          subscription.unsubscribe();
          return;
        }
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          // Proxies (nginx) must pass events through as they come.
          'X-Accel-Buffering': 'no',
        });
        res.write(
          `retry: 3000\nevent: subscribed\ndata: ${JSON.stringify({ feedId: subscription.feedId, seq: subscription.seq })}\n\n`,
        );
        stream.start();
        const forget = deps.connections.add(stream);
        res.on('close', () => {
          subscription.unsubscribe();
          forget();
        });
      },
    ),
  );
  return router;
}

/** An SSE response as a push sink, with its bounded queue. */
class SseStream {
  private pending: PushEvent[] = [];
  private started = false;

  constructor(
    private readonly res: Response,
    private readonly queueBytes: number,
  ) {}

  /** Events that arrived while the subscription was set up go out after the headers. */
  start(): void {
    this.started = true;
    for (const event of this.pending) this.write(sse(event));
    this.pending = [];
  }

  send(event: PushEvent): void {
    if (!this.started) this.pending.push(event);
    else this.write(sse(event));
  }

  heartbeat(): void {
    this.write(': heartbeat\n\n');
  }

  drain(): void {
    this.res.end();
  }

  private write(chunk: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    // A client that does not read: cut off (it reconnects with Last-Event-ID when it can).
    if (this.res.writableLength + chunk.length > this.queueBytes) {
      this.res.destroy();
      return;
    }
    this.res.write(chunk);
  }
}
