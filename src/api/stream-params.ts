import { z } from 'zod';
import { decodeCursor } from '../feed/pages/cursor.js';
import type { SubscribeRequest } from '../feed/push/push-hub.js';
import { SibylError } from '../errors.js';

const id = z.string().min(1).max(256);

/** What a feed subscription may say, on either transport (snake_case, as Kalshi's streams). */
export const feedSubscriptionParams = z.object({
  feed_id: id.optional().describe('The feedId of a served first page; without it the stream serves one'),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe("A later page's nextCursor: the items before it were served too (pushes cover them)"),
  resume_from: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('The last seq received: the events missed since are sent first'),
});

/** The hub's request from validated params; `path` prefixes field names in errors. */
export function subscribeRequest(
  userId: string,
  params: z.output<typeof feedSubscriptionParams>,
  path: string,
): SubscribeRequest {
  let feedId = params.feed_id;
  let servedThrough: number | undefined;
  if (params.cursor) {
    let cursor;
    try {
      cursor = decodeCursor(params.cursor);
    } catch {
      throw new SibylError(
        'invalid_request',
        `${path}.cursor is malformed: pass a page's nextCursor unchanged`,
        [{ path: `${path}.cursor`, message: 'malformed cursor' }],
      );
    }
    if (feedId && cursor.feedId !== feedId)
      throw new SibylError('invalid_request', `${path}.cursor belongs to another feed than ${path}.feed_id`, [
        { path: `${path}.cursor`, message: 'does not match feed_id' },
      ]);
    feedId = cursor.feedId;
    servedThrough = cursor.offset;
  }
  return {
    userId,
    ...(feedId ? { feedId } : {}),
    ...(servedThrough !== undefined ? { servedThrough } : {}),
    ...(params.resume_from !== undefined ? { resumeFrom: params.resume_from } : {}),
  };
}

export const userIdParam = id;
