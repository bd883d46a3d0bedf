import { MongoBulkWriteError, MongoServerError } from 'mongodb';

/** MongoDB's duplicate-key error code, from MongoDB and `sibyl store` alike. */
export const DUPLICATE_KEY = 11000;

/**
 * Whether a write failed only because keys were already stored: a single write's 11000, or a bulk
 * write every one of whose failures is 11000 (with `ordered: false` the rest was written).
 */
export function isDuplicateKeyError(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const errors = [err.writeErrors].flat();
    return errors.length > 0 ? errors.every((e) => e.code === DUPLICATE_KEY) : err.code === DUPLICATE_KEY;
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}
