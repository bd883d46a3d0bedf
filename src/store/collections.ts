import type { Collection, Document, IndexDef, Store } from './types.js';
import { indexName } from './index-spec.js';
import type { CollectionName } from '../domain/collections.js';

export { coll, type CollectionName, type CollectionTypes } from '../domain/collections.js';

/**
 * Indexes of docs/architecture.md ("Storage: MongoDB"); created idempotently at startup on every
 * backend.
 */
export const INDEXES: Record<CollectionName, IndexDef[]> = {
  series: [{ keys: { ticker: 1 }, unique: true }, { keys: { category: 1 } }],
  events: [{ keys: { eventTicker: 1 }, unique: true }, { keys: { seriesTicker: 1 } }],
  markets: [
    { keys: { ticker: 1 }, unique: true },
    { keys: { status: 1, closeTime: 1 } },
    { keys: { eventTicker: 1 } },
    { keys: { category: 1 } },
  ],
  users: [{ keys: { userId: 1 }, unique: true }],
  interactions: [
    { keys: { eventId: 1 }, unique: true },
    { keys: { userId: 1, ts: 1 } },
    { keys: { ticker: 1, ts: 1 } },
    { keys: { receivedAt: 1 } },
    { keys: { ts: 1 } },
  ],
  user_market_features: [
    { keys: { userId: 1, ticker: 1 }, unique: true },
    { keys: { ticker: 1 } },
    { keys: { lastTs: 1 } },
  ],
  user_features: [{ keys: { userId: 1 }, unique: true }],
  market_features: [{ keys: { ticker: 1 }, unique: true }],
  market_neighbours: [{ keys: { ticker: 1 }, unique: true }],
  feature_state: [],
  exposures: [
    { keys: { userId: 1, experimentId: 1 }, unique: true },
    { keys: { experimentId: 1, timestamp: 1 } },
  ],
  experiment_overrides: [],
  experiment_rules: [{ keys: { key: 1 }, unique: true }],
  job_runs: [{ keys: { name: 1, startedAt: -1 } }],
  models: [
    { keys: { version: 1 }, unique: true },
    { keys: { status: 1, promotionSeq: -1 } },
    { keys: { chainId: 1 } },
    { keys: { createdAt: -1 } },
  ],
  daily_reports: [{ keys: { date: 1, version: 1 }, unique: true }],
};

export { indexName };

/** Creates `def` on `collection` under its canonical name (idempotent, as MongoDB's createIndex). */
export function createIndex(collection: Collection<Document>, def: IndexDef): Promise<string> {
  return collection.createIndex(def.keys, { unique: def.unique ?? false, name: indexName(def) });
}

export async function ensureIndexes(store: Store): Promise<void> {
  for (const name of Object.keys(INDEXES) as CollectionName[]) {
    for (const def of INDEXES[name]) await createIndex(store.collection(name), def);
  }
}
