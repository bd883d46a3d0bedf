import type { Document } from 'mongodb';

export type { Document };

/** Index key spec in MongoDB's form, e.g. `{ userId: 1, ts: -1 }`. */
export type IndexKeys = Record<string, 1 | -1>;
export type SortSpec = Record<string, 1 | -1>;

export interface IndexDef {
  keys: IndexKeys;
  unique?: boolean;
  name?: string;
}

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

/** MongoDB's default index name: `field_1_other_-1`. */
export function indexName(def: IndexDef): string {
  return (
    def.name ??
    Object.entries(def.keys)
      .map(([k, v]) => `${k}_${v}`)
      .join('_')
  );
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
