import { Router } from 'express';
import { z } from 'zod';
import type { MarketCatalogue } from '../../feed/catalogue/market-catalogue.js';
import type { FeedService } from '../../feed/feed-service.js';
import { handle } from '../handler.js';
import { personalised } from '../http-headers.js';
import type { Store } from '../../store/types.js';
import type { ActiveModelSource } from '../../feed/active-model.js';
import { trendingMarkets } from '../../feed/trending.js';
import { similarMarkets } from '../../feed/similar-markets.js';
import { DEFAULT_MODEL_KIND } from '../../feed/rankers/rankers.js';
import { categoryCounts, checkCategories } from '../../feed/categories.js';
import { marketDetails } from '../../feed/market-card.js';
import { SibylError } from '../../errors.js';
import type { ApiMetrics } from '../metrics.js';
import type { Principal } from '../auth.js';

/** `?category=a&category=b` and `?category=a,b` both mean "a or b". */
const categories = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .describe(
    'Repeat or comma-separate for several (any case). An unknown category is a 400 whose details name the known ones (GET /v1/categories)',
  )
  .transform((v) =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** `?attr.platform=ios&attr.country=US`: targeting attributes the client knows (they override stored ones). */
const ATTRIBUTE = /^attr\.([A-Za-z][A-Za-z0-9_]{0,63})$/;

/** The schemas below validate requests and are the OpenAPI document's parameters (src/api/openapi). */
export const userIdParams = z.object({ userId: z.string().min(1).max(256) });
export const tickerParams = z.object({ ticker: z.string().min(1).max(256) });

export const feedQuery = z
  .looseObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(1024).optional().describe('nextCursor of the previous page'),
    category: categories,
  })
  .check((ctx) => {
    for (const [key, value] of Object.entries(ctx.value)) {
      if (['limit', 'cursor', 'category'].includes(key)) continue;
      const problem = !ATTRIBUTE.test(key)
        ? 'unknown parameter (targeting attributes are passed as attr.<name>)'
        : typeof value !== 'string' || value.length > 256
          ? 'one value of at most 256 characters'
          : undefined;
      if (problem) ctx.issues.push({ code: 'custom', input: value, path: [key], message: problem });
    }
  })
  .transform(({ limit, cursor, category, ...rest }) => ({
    limit,
    cursor,
    category,
    attributes: Object.fromEntries(Object.entries(rest).map(([k, v]) => [ATTRIBUTE.exec(k)![1]!, String(v)])),
  }));

/** With `userId`, a list is served to that user: it gets a feedId that their impressions and clicks name. */
const forUser = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe('The user shown the list: the response gets a feedId for their impressions and clicks');

export const trendingQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  category: categories,
  userId: forUser,
});

export const similarQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  userId: forUser,
});

export function feedRoutes(deps: {
  feed: FeedService;
  catalogue: MarketCatalogue;
  metrics: ApiMetrics;
  store: Store;
  model?: ActiveModelSource;
  /** Anonymous callers get no reasons naming the user's history. @defaultValue false */
  hidePersonalReasons?: boolean;
}): Router {
  const router = Router();
  router.get(
    '/users/:userId/feed',
    personalised,
    handle({ params: userIdParams, query: feedQuery }, async ({ params, query, res }) => {
      checkCategories(await deps.catalogue.current(), query.category);
      // Set by requireUserOrApiKey (app.ts): undefined when no credential was sent.
      const anonymous = (res.locals.principal as Principal | undefined) === undefined;
      const feed = await deps.feed.getFeed({
        anonymous,
        personalReasons: !(anonymous && deps.hidePersonalReasons),
        userId: params.userId,
        limit: query.limit,
        cursor: query.cursor,
        categories: query.category,
        attributes: query.attributes,
      });
      deps.metrics.feedItems.observe({ ranker: feed.ranker }, feed.items.length);
      return feed;
    }),
  );
  router.get(
    '/trending',
    handle({ query: trendingQuery }, async ({ query }) => {
      const catalogue = await deps.catalogue.current();
      checkCategories(catalogue, query.category);
      const items = trendingMarkets(catalogue, query.category, query.limit);
      if (!query.userId) return { category: query.category, items };
      const feedId = await deps.feed.recordServed({
        userId: query.userId,
        surface: 'trending',
        ranker: 'trending',
        model: null,
        tickers: items.map((i) => i.ticker),
      });
      return { category: query.category, feedId, items };
    }),
  );
  router.get(
    '/categories',
    handle({}, async () => ({ categories: categoryCounts(await deps.catalogue.current()) })),
  );
  router.get(
    '/markets/:ticker',
    handle({ params: tickerParams }, async ({ params }) => {
      const market = await marketDetails(deps.store, params.ticker);
      if (!market) throw new SibylError('not_found', `Unknown market ${params.ticker}`);
      return market;
    }),
  );
  router.get(
    '/markets/:ticker/similar',
    handle({ params: tickerParams, query: similarQuery }, async ({ params, query }) => {
      const similar = await similarMarkets(
        deps.store,
        await deps.catalogue.current(),
        deps.model?.current(DEFAULT_MODEL_KIND),
        params.ticker,
        query.limit,
      );
      if (!query.userId) return similar;
      const feedId = await deps.feed.recordServed({
        userId: query.userId,
        surface: 'similar',
        ranker: `similar-${similar.source}`,
        model: similar.model,
        tickers: similar.items.map((i) => i.ticker),
      });
      return { ...similar, feedId };
    }),
  );
  return router;
}
