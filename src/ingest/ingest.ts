import type { z } from 'zod';
import { eventInput, interactionInput, marketInput, seriesInput, userInput } from '../domain/schemas.js';
import type { Store } from '../store/types.js';
import { checkBatchSize, parseBatch, rejectIfInvalid } from './batch.js';
import { writeEvents, writeMarkets, writeSeries, writeUsers, type UpsertResult } from './catalog-writer.js';
import { findUnknownMarkets, writeInteractions, type InteractionWriteResult } from './interaction-writer.js';

/**
 * API-facing ingestion: a batch is validated whole and either stored whole or rejected whole
 * (SibylError listing every offending item and field). Nothing is written for a rejected batch.
 */
export interface IngestOptions {
  maxBatch: number;
  now?: Date;
  /**
   * Who ranked the feeds that interactions name by `feedId` (ranker, model version, experiment), so
   * that each impression and click is stored with what produced it. Unknown or expired feeds are
   * left out of the map and their interactions stored without attribution.
   */
  attribute?: (feedIds: string[]) => Promise<Map<string, FeedAttribution>>;
}

/** Stored on an interaction that came from a feed: what ranked that feed. */
export interface FeedAttribution {
  userId: string;
  ranker: string;
  rankerVersion: number;
  model: string | null;
  experiment: { key: string; variation: string } | null;
}

function validated<S extends z.ZodType>(schema: S, items: unknown, name: string, max: number): z.output<S>[] {
  const batch = checkBatchSize(items, name, max);
  const { valid, issues } = parseBatch(schema, batch, name);
  rejectIfInvalid(issues, batch.length, name);
  return valid.map((v) => v.value);
}

export function ingestSeries(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return writeSeries(store, validated(seriesInput, items, 'series', o.maxBatch), o.now);
}

export function ingestEvents(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return writeEvents(store, validated(eventInput, items, 'events', o.maxBatch), o.now);
}

export function ingestMarkets(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return writeMarkets(store, validated(marketInput, items, 'markets', o.maxBatch), o.now);
}

export function ingestUsers(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return writeUsers(store, validated(userInput, items, 'users', o.maxBatch), o.now);
}

export async function ingestInteractions(
  store: Store,
  items: unknown,
  o: IngestOptions,
): Promise<InteractionWriteResult> {
  const batch = checkBatchSize(items, 'interactions', o.maxBatch);
  const { valid, issues } = parseBatch(interactionInput, batch, 'interactions');
  issues.push(...(await findUnknownMarkets(store, valid)));
  rejectIfInvalid(issues, batch.length, 'interactions');
  const interactions = valid.map((v) => v.value);
  const feedIds = [...new Set(interactions.flatMap((i) => (i.feedId ? [i.feedId] : [])))];
  const feeds =
    feedIds.length > 0 && o.attribute ? await o.attribute(feedIds) : new Map<string, FeedAttribution>();
  return writeInteractions(
    store,
    interactions.map((item) => {
      const feed = item.feedId ? feeds.get(item.feedId) : undefined;
      // A feed is only attributed for the user it was served to.
      if (!feed || feed.userId !== item.userId) return item;
      return {
        ...item,
        attribution: {
          ranker: feed.ranker,
          rankerVersion: feed.rankerVersion,
          model: feed.model,
          experiment: feed.experiment,
        },
      };
    }),
    o.now,
  );
}
