import type { AnyBulkWriteOperation, Collection, Document, Filter, UpdateFilter } from 'mongodb';
import type { CollectionName } from '../domain/collections.js';

/**
 * Sibyl reaches storage through the official `mongodb` driver only, whichever server answers:
 * MongoDB or `sibyl store`. Collections are the driver's own.
 */
export type { AnyBulkWriteOperation, Collection, Document, Filter, UpdateFilter };
// Index definitions and sort specs are MongoDB's shapes, shared with the store's engine.
export type { IndexDef, IndexKeys, SortSpec } from './index-spec.js';

export interface Store {
  /** A collection of the registry (src/domain/collections.ts); a name not in it does not compile. */
  collection<T extends Document = Document>(name: CollectionName): Collection<T>;
  /** Throws when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Human-readable location, for logs. */
  describe(): string;
}
