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
import type { TimestampWindow } from '../../ingest/timestamp-window.js';
import type { ApiMetrics } from '../metrics.js';
import type { FeedAttributionLookup } from '../../domain/attribution.js';
import type { IngestEvents } from '../../ingest/events/ingest-events.js';

export interface IngestRouteDeps {
  store: Store;
  metrics: ApiMetrics;
  maxBatch: number;
  tsWindow: TimestampWindow;
  now: () => Date;
  /** Guards every write route (API key). */
  auth: RequestHandler;
  /** Resolves `feedId`s of incoming interactions to what ranked those feeds. */
  feeds?: FeedAttributionLookup;
  /** Told what each batch stored: the feeds of this and other replicas follow it. */
  events: IngestEvents;
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
  const route = (method: 'put' | 'post', key: string, ingest: Ingest) => {
    // Unknown top-level fields are refused like unknown item fields: a misspelt option must not be ignored.
    const body = z.strictObject(
      { [key]: z.unknown().refine((v) => v !== undefined, `required: an array of ${key}`) },
      { error: `expected an object with a "${key}" array` },
    );
    router[method](
      `/${key}`,
      deps.auth,
      handle({ body }, async ({ body }) => {
        const result = await ingest(deps.store, body[key], {
          maxBatch: deps.maxBatch,
          tsWindow: deps.tsWindow,
          now: deps.now(),
          events: deps.events,
          ...(deps.feeds ? { feeds: deps.feeds } : {}),
        });
        deps.metrics.ingested.inc({ kind: key, outcome: 'stored' }, result.inserted);
        return result;
      }),
    );
  };
  route('put', 'series', ingestSeries);
  route('put', 'events', ingestEvents);
  route('put', 'markets', ingestMarkets);
  route('put', 'users', ingestUsers);
  route('post', 'interactions', ingestInteractions);
  return router;
}
