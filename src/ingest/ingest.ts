import type { z } from 'zod';
import { eventInput, interactionInput, seriesInput, userInput } from '../domain/schemas.js';
import type { Store } from '../store/types.js';
import type { FeedAttribution, FeedAttributionLookup } from '../domain/attribution.js';
import { INTERACTION_WEIGHTS } from '../domain/interaction-weights.js';
import type { IngestEvents } from './events/ingest-events.js';
import { ingestMarketBatch } from './market-batch.js';
import { outsideWindow, type TimestampWindow } from './timestamp-window.js';
import { checkBatchSize, parseBatch, rejectIfInvalid } from './batch.js';
import { writeEvents, writeSeries, writeUsers, type UpsertResult } from './catalogue-writer.js';
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
   * that each impression and click is stored with what produced it. Interactions naming unknown or
   * expired feeds are stored without attribution.
   */
  feeds?: FeedAttributionLookup;
  /** Interactions stamped outside it (around `now`) are rejected; unbounded if absent. */
  tsWindow?: TimestampWindow;
  /** Told what was stored, once it is stored. */
  events?: IngestEvents;
}

function validated<S extends z.ZodType>(schema: S, items: unknown, name: string, max: number): z.output<S>[] {
  const batch = checkBatchSize(items, name, max);
  const { valid, issues } = parseBatch(schema, batch, name);
  rejectIfInvalid(issues, batch.length, name);
  return valid.map((v) => v.value);
}

/** Announces a catalogue write; `tickers` lets replicas refresh just those markets. */
async function catalogueStored<R>(written: Promise<R>, o: IngestOptions, tickers?: string[]): Promise<R> {
  const result = await written;
  await o.events?.emit('catalogueStored', { origin: 'local', ...(tickers ? { tickers } : {}) });
  return result;
}

export function ingestSeries(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return catalogueStored(writeSeries(store, validated(seriesInput, items, 'series', o.maxBatch), o.now), o);
}

export function ingestEvents(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  return catalogueStored(writeEvents(store, validated(eventInput, items, 'events', o.maxBatch), o.now), o);
}

/** Markets, new and changed (see ./market-batch.ts); replicas refresh just those. */
export async function ingestMarkets(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  const { tickers, ...result } = await ingestMarketBatch(store, items, o);
  await o.events?.emit('catalogueStored', { origin: 'local', tickers });
  return result;
}

export async function ingestUsers(store: Store, items: unknown, o: IngestOptions): Promise<UpsertResult> {
  const users = validated(userInput, items, 'users', o.maxBatch);
  const result = await writeUsers(store, users, o.now);
  await o.events?.emit('usersStored', { userIds: unique(users.map((u) => u.userId)), origin: 'local' });
  return result;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

export async function ingestInteractions(
  store: Store,
  items: unknown,
  o: IngestOptions,
): Promise<InteractionWriteResult> {
  const batch = checkBatchSize(items, 'interactions', o.maxBatch);
  const { valid, issues } = parseBatch(interactionInput, batch, 'interactions');
  if (o.tsWindow) issues.push(...outsideWindow(valid, o.tsWindow, o.now ?? new Date()));
  issues.push(...(await findUnknownMarkets(store, valid)));
  rejectIfInvalid(issues, batch.length, 'interactions');
  const interactions = valid.map((v) => v.value);
  const feedIds = [...new Set(interactions.flatMap((i) => (i.feedId ? [i.feedId] : [])))];
  const feeds =
    feedIds.length > 0 && o.feeds ? await o.feeds.attributions(feedIds) : new Map<string, FeedAttribution>();
  const result = await writeInteractions(
    store,
    interactions.map((item) => {
      const feed = item.feedId ? feeds.get(item.feedId) : undefined;
      if (!feed) return item;
      // A feed is only attributed for the user it was served to; otherwise reports list it.
      if (feed.userId !== item.userId) return { ...item, feedIssue: 'served_to_another_user' as const };
      return {
        ...item,
        attribution: {
          surface: feed.surface ?? 'feed',
          ranker: feed.ranker,
          rankerVersion: feed.rankerVersion,
          model: feed.model,
          experiment: feed.experiment,
        },
      };
    }),
    o.now,
  );
  await o.events?.emit('interactionsStored', {
    userIds: unique(interactions.filter((i) => INTERACTION_WEIGHTS[i.type] !== 0).map((i) => i.userId)),
    origin: 'local',
  });
  return result;
}
