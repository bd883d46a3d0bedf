import type { Collection, Document } from 'mongodb';
import type { EventDoc, InteractionDoc, MarketDoc, SeriesDoc, UserDoc } from './documents.js';
import type { ModelDoc } from './model-doc.js';

/**
 * Collection names and their document types. The one list of names: code reaches a collection
 * through `coll` (typed documents) or the store's `collection` (typed by `CollectionName`, so a
 * misspelt name does not compile), never through a constant of its own.
 */
export interface CollectionTypes {
  series: SeriesDoc;
  events: EventDoc;
  markets: MarketDoc;
  users: UserDoc;
  interactions: InteractionDoc;
  job_runs: Document;
  user_market_features: Document;
  user_features: Document;
  market_features: Document;
  market_neighbours: Document;
  feature_state: Document;
  exposures: Document;
  experiment_overrides: Document;
  experiment_rules: Document;
  models: ModelDoc;
  /** Versioned daily reports (src/reports/daily-reports.ts, their one writer). */
  daily_reports: Document;
}

export type CollectionName = keyof CollectionTypes;

/**
 * Whatever hands out the driver's collections by name: the store, or a test double. Models and
 * loaders below the store layer ask for this port, not for the store.
 */
export interface CollectionSource {
  collection<T extends Document = Document>(name: CollectionName): Collection<T>;
}

/** Typed access to a known collection. */
export function coll<K extends CollectionName>(
  source: CollectionSource,
  name: K,
): Collection<CollectionTypes[K]> {
  return source.collection<CollectionTypes[K]>(name);
}
