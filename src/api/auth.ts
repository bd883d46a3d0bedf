import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { SibylError } from '../errors.js';
import type { SessionSigner } from './dashboard/session.js';
import type { RateLimited, RateLimits } from './rate-limits.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a key is one of SIBYL_API_KEYS, compared in constant time. */
export function apiKeyMatcher(keys: string[]): (key: string) => boolean {
  const digests = keys.map(digest);
  // Compare digests in constant time so response timing reveals nothing about the keys.
  return (key) => {
    const given = digest(key.trim());
    return digests.some((d) => timingSafeEqual(d, given));
  };
}

function tooMany(res: Response, limited: RateLimited): SibylError {
  res.setHeader('Retry-After', String(limited.retryAfterSeconds));
  const what =
    limited.limit === 'failed_auth'
      ? 'Too many requests with a wrong API key from this address'
      : limited.limit === 'writes_per_key'
        ? 'Too many writes with this API key'
        : 'Too many writes from this address';
  return new SibylError('rate_limited', `${what}: retry after ${limited.retryAfterSeconds} s`, {
    limit: limited.limit,
    retryAfterSeconds: limited.retryAfterSeconds,
  });
}

export interface ApiKeyOptions {
  /** A dashboard session cookie with its CSRF token header stands in for a key. */
  sessions?: { signer: SessionSigner; now: () => Date };
  /** Budgets for wrong keys per address and for writes per key and address. */
  limits?: RateLimits;
}

/**
 * Write and admin routes need `Authorization: Bearer <key>` with a key from SIBYL_API_KEYS, or,
 * with `sessions`, a dashboard session. With `limits`, an address that sent too many wrong keys is
 * refused (429) before its key is looked at, and writes count against their key's and their
 * address's budgets (a session's against its address's).
 */
export function requireApiKey(keys: string[], options: ApiKeyOptions = {}): RequestHandler {
  const matches = apiKeyMatcher(keys);
  const { sessions, limits } = options;
  return async (req, res, next) => {
    try {
      if (keys.length === 0) {
        next(new SibylError('unauthorized', 'Writes are disabled: no SIBYL_API_KEYS are configured'));
        return;
      }
      const address = req.ip ?? 'unknown';
      const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (!match) {
        if (sessions?.signer.authenticates(req, sessions.now())) {
          const limited = READS.has(req.method)
            ? undefined
            : await limits?.write(`session:${address}`, address);
          next(limited ? tooMany(res, limited) : undefined);
          return;
        }
        next(new SibylError('unauthorized', 'Missing API key: send "Authorization: Bearer <key>"'));
        return;
      }
      const blocked = await limits?.blockedForFailedAuth(address);
      if (blocked) {
        next(tooMany(res, blocked));
        return;
      }
      const key = match[1]!.trim();
      if (!matches(key)) {
        const over = await limits?.failedAuthFrom(address);
        next(over ? tooMany(res, over) : new SibylError('unauthorized', 'Invalid API key'));
        return;
      }
      const limited = READS.has(req.method) ? undefined : await limits?.write(key, address);
      next(limited ? tooMany(res, limited) : undefined);
    } catch (err) {
      next(err);
    }
  };
}
