import type { MarketDoc } from '../domain/documents.js';
import type {
  EventInput,
  MarketInput,
  MarketPatch,
  MarketStatus,
  SeriesInput,
  UserInput,
} from '../domain/schemas.js';
import { coll, type CollectionName } from '../store/collections.js';
import type { AnyBulkWriteOperation, Document, Store } from '../store/types.js';

export interface UpsertResult {
  received: number;
  inserted: number;
  updated: number;
}

/**
 * Batch upsert keyed on `key`. Fields present overwrite; fields omitted keep their stored value,
 * so a price-only update need not resend titles.
 */
async function upsertBy<T extends Document>(
  store: Store,
  name: CollectionName,
  key: keyof T & string,
  items: T[],
  now: Date,
): Promise<UpsertResult> {
  if (items.length === 0) return { received: 0, inserted: 0, updated: 0 };
  const ops: AnyBulkWriteOperation<Document>[] = items.map((item) => ({
    updateOne: {
      filter: { [key]: item[key] },
      update: { $set: { ...item, updatedAt: now }, $setOnInsert: { createdAt: now } },
      upsert: true,
    },
  }));
  const r = await store.collection(name).bulkWrite(ops, { ordered: false });
  return { received: items.length, inserted: r.upsertedCount, updated: r.matchedCount };
}

export async function writeSeries(
  store: Store,
  items: SeriesInput[],
  now = new Date(),
): Promise<UpsertResult> {
  return upsertBy(store, 'series', 'ticker', items, now);
}

/** Events inherit their series' category when they carry none, and pass it on to their markets. */
export async function writeEvents(
  store: Store,
  items: EventInput[],
  now = new Date(),
): Promise<UpsertResult> {
  const missing = items.filter((e) => !e.category).map((e) => e.seriesTicker);
  const seriesCategory = await lookup(store, 'series', 'ticker', missing, 'category');
  const filled = items.map((e) =>
    e.category ? e : withDefined(e, { category: seriesCategory.get(e.seriesTicker) }),
  );
  const result = await upsertBy(store, 'events', 'eventTicker', filled, now);
  const propagate: AnyBulkWriteOperation<Document>[] = filled
    .filter((e) => e.category)
    .map((e) => ({
      updateMany: {
        filter: { eventTicker: e.eventTicker, category: { $exists: false } },
        update: { $set: { category: e.category, seriesTicker: e.seriesTicker } },
      },
    }));
  if (propagate.length) await store.collection('markets').bulkWrite(propagate, { ordered: false });
  return result;
}

/** Markets without a category or series take them from their event, if it is known yet. */
export async function writeMarkets(
  store: Store,
  items: MarketInput[],
  now = new Date(),
): Promise<UpsertResult> {
  const needy = items.filter((m) => !m.category || !m.seriesTicker).map((m) => m.eventTicker);
  const events = await coll(store, 'events')
    .find(
      { eventTicker: { $in: [...new Set(needy)] } },
      { projection: { eventTicker: 1, category: 1, seriesTicker: 1 } },
    )
    .toArray();
  const byEvent = new Map(events.map((e) => [e.eventTicker, e]));
  const filled = items.map((m) => {
    const event = byEvent.get(m.eventTicker);
    return event
      ? withDefined(m, {
          category: m.category ?? event.category,
          seriesTicker: m.seriesTicker ?? event.seriesTicker,
        })
      : m;
  });
  return upsertBy(store, 'markets', 'ticker', filled, now);
}

/**
 * Applies partial updates to markets validated as stored. Never upserts: a patch of a market
 * removed in the meantime must not leave a market with only the fields patched.
 */
export async function patchMarkets(
  store: Store,
  patches: MarketPatch[],
  now = new Date(),
): Promise<UpsertResult> {
  if (patches.length === 0) return { received: 0, inserted: 0, updated: 0 };
  const ops: AnyBulkWriteOperation<MarketDoc>[] = patches.map(({ ticker, ...fields }) => ({
    updateOne: { filter: { ticker }, update: { $set: { ...fields, updatedAt: now } } },
  }));
  const r = await coll(store, 'markets').bulkWrite(ops, { ordered: false });
  return { received: patches.length, inserted: 0, updated: r.matchedCount };
}

/** A change to a stored market's state or quote, from the exchange's stream. */
export interface MarketChange {
  ticker: string;
  status?: MarketStatus;
  closeTime?: Date;
  yesBid?: number;
  yesAsk?: number;
  lastPrice?: number;
  volume?: number;
  openInterest?: number;
}

/**
 * Applies changes to markets already stored (a market the store does not know is left alone: its
 * listing comes first). Returns the tickers whose status or close time changed, which is what
 * serving must hear of at once; quotes can wait for the next catalogue refresh.
 */
export async function updateMarkets(store: Store, changes: MarketChange[], now: Date): Promise<string[]> {
  if (changes.length === 0) return [];
  const ops: AnyBulkWriteOperation<MarketDoc>[] = changes.map(({ ticker, ...fields }) => ({
    updateOne: { filter: { ticker }, update: { $set: { ...fields, updatedAt: now } } },
  }));
  await coll(store, 'markets').bulkWrite(ops, { ordered: false });
  return [
    ...new Set(
      changes.filter((c) => c.status !== undefined || c.closeTime !== undefined).map((c) => c.ticker),
    ),
  ];
}

export interface MarketStatusChanges {
  opened: number;
  closed: number;
}

/**
 * The status transitions time brings, without waiting for the exchange to report them: markets
 * whose open time has come become `open`, and open or paused markets past their close time become
 * `closed`, so they leave every feed even if the next catalogue update is late. Like the other
 * writers here it only writes: a caller with the process's IngestEvents emits `catalogueStored`
 * (the worker that runs it has none; API replicas reload their catalogue every
 * CATALOGUE_REFRESH_SECONDS).
 */
export async function writeMarketStatuses(store: Store, now: Date): Promise<MarketStatusChanges> {
  const markets = coll(store, 'markets');
  const closed = await markets.updateMany(
    { status: { $in: ['open', 'paused'] }, closeTime: { $lte: now } },
    { $set: { status: 'closed', updatedAt: now } },
  );
  const opened = await markets.updateMany(
    { status: 'unopened', openTime: { $lte: now }, closeTime: { $gt: now } },
    { $set: { status: 'open', updatedAt: now } },
  );
  return { opened: opened.modifiedCount, closed: closed.modifiedCount };
}

export async function writeUsers(store: Store, items: UserInput[], now = new Date()): Promise<UpsertResult> {
  if (items.length === 0) return { received: 0, inserted: 0, updated: 0 };
  const ops: AnyBulkWriteOperation<Document>[] = items.map((u) => {
    const attributes = Object.entries(u.attributes ?? {}).map(([k, v]) => [`attributes.${k}`, v]);
    return {
      updateOne: {
        filter: { userId: u.userId },
        update: {
          // Attributes merge key by key; a new user without any still gets the empty object.
          $set: { ...Object.fromEntries(attributes), updatedAt: now },
          $setOnInsert: attributes.length ? { createdAt: now } : { createdAt: now, attributes: {} },
        },
        upsert: true,
      },
    };
  });
  const r = await store.collection('users').bulkWrite(ops, { ordered: false });
  return { received: items.length, inserted: r.upsertedCount, updated: r.matchedCount };
}

async function lookup(
  store: Store,
  name: CollectionName,
  key: string,
  values: string[],
  field: string,
): Promise<Map<string, string>> {
  if (values.length === 0) return new Map();
  const docs = await store
    .collection(name)
    .find({ [key]: { $in: [...new Set(values)] } }, { projection: { [key]: 1, [field]: 1 } })
    .toArray();
  return new Map(docs.filter((d) => d[field]).map((d) => [d[key] as string, d[field] as string]));
}

/** `base` with the defined values of `extra` added; undefined never reaches a stored document. */
function withDefined<T extends object>(base: T, extra: Partial<T>): T {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (out as Document)[k] = v;
  return out;
}
