import {
  MongoBulkWriteError,
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
 * connection and server-selection failures, or StoreUnavailableError. A bulk write whose
 * connection closed under it reports the network error as its cause (`errorResponse`): the server
 * went away mid-command, so whatever it stored is unacknowledged, and the client should retry.
 */
export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (
    err instanceof StoreUnavailableError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError
  )
    return true;
  if (!(err instanceof MongoBulkWriteError) || depth > 2) return false;
  return isStoreUnavailable(err.errorResponse, depth + 1) || isStoreUnavailable(err.cause, depth + 1);
}
