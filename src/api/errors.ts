import type { ErrorRequestHandler } from 'express';
import { SibylError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { isStoreUnavailable } from '../store/unavailable.js';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  unknown_reference: 422,
  batch_too_large: 413,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  cursor_expired: 410,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(err: SibylError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

/** Express's body parser reports its failures with a `type`; they become our typed errors. */
function fromBodyParser(err: unknown): SibylError | undefined {
  const type = (err as { type?: string })?.type;
  if (type === 'entity.parse.failed') {
    return new SibylError('invalid_json', `Request body is not valid JSON: ${(err as Error).message}`, [
      { path: 'body', message: 'malformed JSON' },
    ]);
  }
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: number }).limit;
    return new SibylError('payload_too_large', `Request body exceeds ${limit} bytes`, [
      { path: 'body', message: 'too large' },
    ]);
  }
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new SibylError('invalid_request', (err as Error).message);
  }
  return undefined;
}

/** An unreachable store: 503, so clients retry (writes were not stored, reads not served). */
function fromStore(err: unknown): SibylError | undefined {
  if (!isStoreUnavailable(err)) return undefined;
  return new SibylError(
    'unavailable',
    'The data store is unavailable: nothing was stored. Retry later; feeds keep serving from cached data.',
    [{ path: 'store', message: 'unreachable' }],
  );
}

/** Last middleware: every error leaves as `{ error: { code, message, details } }` with its status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof SibylError ? err : (fromBodyParser(err) ?? fromStore(err));
    if (known) {
      if (known.code === 'unavailable') {
        res.set('Retry-After', '5');
        if (known !== err)
          logger.warn({ err, method: req.method, url: req.originalUrl }, 'store unavailable');
      }
      res.status(STATUS_BY_CODE[known.code]).json(errorBody(known));
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    res.status(500).json(errorBody(new SibylError('internal', 'Internal error')));
  };
}
