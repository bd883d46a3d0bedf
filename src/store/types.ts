import type { AnyBulkWriteOperation, Collection, Document, Filter, UpdateFilter } from 'mongodb';

/**
 * Sibyl reaches storage through the official `mongodb` driver only, whichever server answers:
 * MongoDB or `sibyl store`. Collections are the driver's own.
 */
export type { AnyBulkWriteOperation, Collection, Document, Filter, UpdateFilter };
// Index definitions and sort specs are MongoDB's shapes, shared with the store's engine.
export type { IndexDef, IndexKeys, SortSpec } from './engine/types.js';

export interface Store {
  collection<T extends Document = Document>(name: string): Collection<T>;
  /** Throws when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Human-readable location, for logs. */
  describe(): string;
}
