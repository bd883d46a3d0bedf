import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

/** The store cannot be reached: nothing was read or written. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message = 'the data store is unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Whether `err` means the store is unreachable (as opposed to a bad query or a bug): the driver's
 * connection and server-selection failures, or StoreUnavailableError.
 */
export function isStoreUnavailable(err: unknown): boolean {
  return (
    err instanceof StoreUnavailableError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError
  );
}
