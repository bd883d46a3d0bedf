import type { Document } from 'mongodb';
import type { SortSpec } from '../index-spec.js';

export type { Document };

// The key-pattern shapes are shared with the application, which must not import the engine.
export { indexName, type IndexDef, type IndexKeys, type SortSpec } from '../index-spec.js';

export interface QueryOptions {
  projection?: Document;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  /** The `_id` of the document an upsert inserted. */
  upsertedId?: unknown;
}

/** A write broke a unique index: MongoDB's error 11000. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
  readonly code = 11000;
  constructor(
    readonly collection: string,
    readonly index: string,
    readonly key: Record<string, unknown>,
  ) {
    super(
      `E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${JSON.stringify(key)}`,
    );
  }
}
