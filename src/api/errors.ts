import type { ErrorRequestHandler } from 'express';
import { SibylError, type ErrorCode } from '../errors.js';
import { redactUrl, type Logger } from '../log/logger.js';
import { isStoreUnavailable } from '../store/unavailable.js';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  unknown_reference: 422,
  batch_too_large: 413,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
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
    return new SibylError('unsupported_media_type', (err as Error).message, [
      {
        path: type === 'charset.unsupported' ? 'headers.content-type' : 'headers.content-encoding',
        message: 'unsupported',
      },
    ]);
  }
  return undefined;
}

/** A path Express's router could not percent-decode (e.g. a lone surrogate, `%ED%A0%80`). */
function fromRouter(err: unknown): SibylError | undefined {
  if (!(err instanceof URIError)) return undefined;
  return new SibylError(
    'invalid_request',
    `Request path is not valid percent-encoded UTF-8: ${err.message}`,
    [{ path: 'path', message: 'undecodable' }],
  );
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Any other error a middleware marked as the client's (a 4xx `status`, as http-errors sets it)
 * keeps its status class: the client is told it erred, never that the server failed.
 */
function fromClientStatus(err: unknown): SibylError | undefined {
  const status =
    (err as { status?: unknown; statusCode?: unknown })?.status ??
    (err as { statusCode?: unknown })?.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const exposed = (err as { expose?: boolean }).expose !== false;
  return new SibylError(
    CODE_BY_STATUS[status] ?? 'invalid_request',
    exposed ? (err as Error).message : 'Bad request',
  );
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
    const known =
      err instanceof SibylError
        ? err
        : (fromBodyParser(err) ?? fromRouter(err) ?? fromStore(err) ?? fromClientStatus(err));
    if (known) {
      if (known.code === 'unavailable') {
        res.set('Retry-After', '5');
        if (known !== err)
          logger.warn({ err, method: req.method, url: redactUrl(req.originalUrl) }, 'store unavailable');
      }
      res.status(STATUS_BY_CODE[known.code]).json(errorBody(known));
      return;
    }
    logger.error({ err, method: req.method, url: redactUrl(req.originalUrl) }, 'unhandled error');
    res.status(500).json(errorBody(new SibylError('internal', 'Internal error')));
  };
}
