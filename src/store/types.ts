import type { Document, Filter, UpdateFilter } from 'mongodb';
import type { IndexDef, SortSpec } from './engine/types.js';

export type { Document, Filter, UpdateFilter };
// Index definitions and sort specs are MongoDB's shapes, shared with the store's engine.
export type { IndexDef, IndexKeys, SortSpec } from './engine/types.js';

export interface FindOptions {
  projection?: Document;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
}

/** The part of a driver cursor Sibyl uses: collect everything or stream. */
export interface Cursor<T> extends AsyncIterable<T> {
  toArray(): Promise<T[]>;
}

export interface WriteResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
  insertedCount: number;
  deletedCount: number;
}

/** Update documents, in operator form (`$set`, `$inc`, …) or as an aggregation pipeline. */
export type Update<T extends Document> = UpdateFilter<T> | Document[];

export type BulkOp<T extends Document> =
  | { insertOne: { document: T } }
  | { updateOne: { filter: Filter<T>; update: Update<T>; upsert?: boolean } }
  | { updateMany: { filter: Filter<T>; update: Update<T>; upsert?: boolean } }
  | { deleteOne: { filter: Filter<T> } }
  | { deleteMany: { filter: Filter<T> } };

/**
 * The subset of the MongoDB driver's Collection API that Sibyl uses, implemented by one thin
 * pass-through to the driver (./mongo-store.ts), whichever server it talks to: MongoDB or
 * `sibyl store`.
 */
export interface StoreCollection<T extends Document = Document> {
  readonly name: string;
  find(filter: Filter<T>, options?: FindOptions): Cursor<T>;
  findOne(filter: Filter<T>, options?: Omit<FindOptions, 'limit'>): Promise<T | null>;
  countDocuments(filter?: Filter<T>): Promise<number>;
  /** Ordered insert; a duplicate key fails with a DuplicateKeyError and keeps what went before. */
  insertMany(docs: T[]): Promise<number>;
  updateOne(filter: Filter<T>, update: Update<T>, options?: { upsert?: boolean }): Promise<WriteResult>;
  updateMany(filter: Filter<T>, update: Update<T>, options?: { upsert?: boolean }): Promise<WriteResult>;
  /** Unordered bulk write: every operation is attempted; the first failure is thrown afterwards. */
  bulkWrite(ops: BulkOp<T>[]): Promise<WriteResult>;
  deleteMany(filter: Filter<T>): Promise<number>;
  aggregate<R extends Document = Document>(pipeline: Document[]): Cursor<R>;
  createIndex(def: IndexDef): Promise<string>;
}

export interface Store {
  collection<T extends Document = Document>(name: string): StoreCollection<T>;
  /** Throws when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Human-readable location, for logs. */
  describe(): string;
}

/**
 * A write broke a unique index. Same meaning as MongoDB's error code 11000. From an unordered
 * bulk write whose only failures were duplicates, `written` counts what the other operations did.
 */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
  readonly code = 11000;
  written?: WriteResult;
  constructor(
    readonly collection: string,
    readonly index: string,
    readonly key: unknown,
  ) {
    super(
      `E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${JSON.stringify(key)}`,
    );
  }
}

export function emptyWriteResult(): WriteResult {
  return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0, insertedCount: 0, deletedCount: 0 };
}
