/** Machine-readable error codes; the API maps each to an HTTP status (src/api/errors.ts). */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_json',
  'validation_failed',
  'unknown_reference',
  'batch_too_large',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_found',
  'cursor_expired',
  'conflict',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one field of one item. `path` is e.g. `interactions[3].type`. */
export interface FieldIssue {
  path: string;
  message: string;
  /** Index of the offending item in its batch, when the input was a batch. */
  index?: number;
  /** Set when the item is well-formed but names something that does not exist (a market, say). */
  reference?: true;
}

/** An error Sibyl expects and can explain; anything else is a bug and reported as `internal`. */
export class SibylError extends Error {
  override name = 'SibylError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
