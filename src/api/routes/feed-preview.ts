import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { FeedService } from '../../feed/feed-service.js';
import { getRanker, rankerNames } from '../../feed/rankers/rankers.js';
import { handle } from '../handler.js';
import { personalised } from '../http-headers.js';
import { userIdParams } from './feed.js';

export const previewQuery = z.object({
  ranker: z.string().refine((name) => getRanker(name) !== undefined, {
    error: (issue) => `unknown ranker "${String(issue.input)}"; rankers are ${rankerNames().join(', ')}`,
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/**
 * `GET /v1/users/{userId}/feed/preview?ranker=…`: what a ranker would serve the user now, for
 * product managers comparing an experiment's arms. Needs the API key; it assigns nobody and logs no
 * exposure, so previews never enter results.
 */
export function feedPreviewRoutes(deps: { feed: FeedService; auth: RequestHandler }): Router {
  const router = Router();
  router.get(
    '/users/:userId/feed/preview',
    deps.auth,
    personalised,
    handle({ params: userIdParams, query: previewQuery }, ({ params, query }) =>
      deps.feed.previewFeed({
        userId: params.userId,
        ranker: getRanker(query.ranker)!,
        limit: query.limit,
      }),
    ),
  );
  return router;
}
