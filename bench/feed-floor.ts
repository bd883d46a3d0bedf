/**
 * The floor under a first page: the real app and feed route (validation, metrics, a 200-item
 * snapshot written to Redis, a 20-item JSON response), with the user's context read and the ranking
 * replaced by a constant list taken from a real feed. No first page can be served faster than this
 * by the same process, so its ratio to `/healthz` bounds the first-page ratio from above.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env.js';
import { encodeCursor } from '../src/feed/pages/cursor.js';
import type { FeedResponse, FeedService } from '../src/feed/feed-service.js';
import { RedisSnapshotStore } from '../src/feed/pages/redis-snapshots.js';
import type { SnapshotItem } from '../src/feed/pages/snapshots.js';
import { silentLogger } from '../src/log/logger.js';
import type { Store } from '../src/store/types.js';
import { composeApi } from '../src/server/api-composition.js';
import { NoQueueJobRunner } from '../jobs/runners/no-queue-runner.js';

const PAGE = 20;

/** Serves it beside the API (same process), with the first 200 items of `feedUrl`'s feed as the list. */
export async function startFeedFloor(
  store: Store,
  redisUrl: string,
  feedUrl: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const items: SnapshotItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = (await (await fetch(`${feedUrl}?limit=100${query}`)).json()) as FeedResponse;
    items.push(...page.items.map(({ ticker, score, reasons }) => ({ ticker, score, reasons })));
    cursor = page.nextCursor;
  } while (cursor && items.length < 200);
  const template = (await (await fetch(`${feedUrl}?limit=${PAGE}`)).json()) as FeedResponse;

  const redis = new Redis(redisUrl, {
    keyPrefix: `sibyl-bench-floor-${process.pid}:`,
    enableOfflineQueue: false,
  });
  const snapshots = new RedisSnapshotStore(redis, '');
  const feed = {
    async getFeed(req) {
      const feedId = randomUUID();
      const { ranker, model, experiment } = template;
      await snapshots.put(
        {
          feedId,
          userId: req.userId,
          ranker,
          rankerVersion: 1,
          model,
          experiment,
          items,
          categories: [],
          createdAt: new Date(),
        },
        900_000,
      );
      return { ...template, userId: req.userId, feedId, nextCursor: encodeCursor({ feedId, offset: PAGE }) };
    },
  } satisfies Pick<FeedService, 'getFeed'>;
  // The real composition, with only the feed's ranking swapped for the constant list above.
  const api = await composeApi({
    config: { ...loadConfig({}), SIBYL_API_KEYS: ['bench'] },
    store,
    logger: silentLogger,
    jobs: new NoQueueJobRunner(),
    model: { current: () => undefined },
    experiments: {},
    requestLogging: false,
  });
  api.feed.getFeed = feed.getFeed as FeedService['getFeed'];
  const server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.close();
      await api.close();
      redis.disconnect();
    },
  };
}
