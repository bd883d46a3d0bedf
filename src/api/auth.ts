import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SibylError } from '../errors.js';
import type { SessionSigner } from './dashboard/session.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether a key is one of SIBYL_API_KEYS, compared in constant time. */
export function apiKeyMatcher(keys: string[]): (key: string) => boolean {
  const digests = keys.map(digest);
  // Compare digests in constant time so response timing reveals nothing about the keys.
  return (key) => {
    const given = digest(key.trim());
    return digests.some((d) => timingSafeEqual(d, given));
  };
}

/**
 * Write and admin routes need `Authorization: Bearer <key>` with a key from SIBYL_API_KEYS, or,
 * when `sessions` is given, a dashboard session cookie with its CSRF token header.
 */
export function requireApiKey(
  keys: string[],
  sessions?: { signer: SessionSigner; now: () => Date },
): RequestHandler {
  const matches = apiKeyMatcher(keys);
  return (req, _res, next) => {
    if (keys.length === 0) {
      next(new SibylError('unauthorized', 'Writes are disabled: no SIBYL_API_KEYS are configured'));
      return;
    }
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      if (sessions?.signer.authenticates(req, sessions.now())) {
        next();
        return;
      }
      next(new SibylError('unauthorized', 'Missing API key: send "Authorization: Bearer <key>"'));
      return;
    }
    if (!matches(match[1]!)) {
      next(new SibylError('unauthorized', 'Invalid API key'));
      return;
    }
    next();
  };
}
