import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Store } from '../../store/types.js';
import {
  ingestEvents,
  ingestInteractions,
  ingestMarkets,
  ingestSeries,
  ingestUsers,
  type IngestOptions,
} from '../../ingest/ingest.js';
import { handle } from '../handler.js';
import { INTERACTION_WEIGHTS } from '../../domain/interaction-weights.js';
import type { InteractionType } from '../../domain/schemas.js';
import type { ApiMetrics } from '../metrics.js';

export interface IngestRouteDeps {
  store: Store;
  metrics: ApiMetrics;
  maxBatch: number;
  now: () => Date;
  /** Guards every write route (API key). */
  auth: RequestHandler;
  /** Called after catalogue writes, so this process's feeds see them at once. */
  onCatalogChange: () => Promise<unknown>;
  /** Resolves `feedId`s of incoming interactions to what ranked those feeds. */
  attribute?: IngestOptions['attribute'];
  /** Called after user and interaction writes with the users they touched (their feeds must see them). */
  onUsersChange?: (userIds: string[]) => Promise<void>;
}

/**
 * Users whose feed context a validated batch changes: every user of a users batch; for
 * interactions, users with any interaction that carries signal (impressions, which the frontend
 * posts for every page it shows, change nothing a feed reads).
 */
function changedUsers(items: { userId: string; type?: InteractionType }[]): string[] {
  return items.filter((i) => i.type === undefined || INTERACTION_WEIGHTS[i.type] !== 0).map((i) => i.userId);
}

type Ingest = (
  store: Store,
  items: unknown,
  o: IngestOptions,
) => Promise<{ received: number; inserted: number }>;

/**
 * Batch writes. A batch is all-or-nothing: any invalid item rejects it (422, every bad item and
 * field listed) and nothing is stored. Catalogue upserts keep fields a request omits.
 */
export function ingestRoutes(deps: IngestRouteDeps): Router {
  const router = Router();
  const route = (method: 'put' | 'post', key: string, ingest: Ingest, touches: 'catalogue' | 'users') => {
    const body = z.object({ [key]: z.unknown() }, { error: `expected an object with a "${key}" array` });
    router[method](
      `/${key}`,
      deps.auth,
      handle({ body }, async ({ body }) => {
        const result = await ingest(deps.store, body[key], {
          maxBatch: deps.maxBatch,
          now: deps.now(),
          ...(deps.attribute ? { attribute: deps.attribute } : {}),
        });
        deps.metrics.ingested.inc({ kind: key, outcome: 'stored' }, result.inserted);
        if (touches === 'catalogue') await deps.onCatalogChange();
        else
          await deps.onUsersChange?.(changedUsers(body[key] as { userId: string; type?: InteractionType }[]));
        return result;
      }),
    );
  };
  route('put', 'series', ingestSeries, 'catalogue');
  route('put', 'events', ingestEvents, 'catalogue');
  route('put', 'markets', ingestMarkets, 'catalogue');
  route('put', 'users', ingestUsers, 'users');
  route('post', 'interactions', ingestInteractions, 'users');
  return router;
}
