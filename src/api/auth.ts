import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SibylError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Write and admin routes need `Authorization: Bearer <key>` with a key from SIBYL_API_KEYS. */
export function requireApiKey(keys: string[]): RequestHandler {
  const digests = keys.map(digest);
  return (req, _res, next) => {
    if (digests.length === 0) {
      next(new SibylError('unauthorized', 'Writes are disabled: no SIBYL_API_KEYS are configured'));
      return;
    }
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      next(new SibylError('unauthorized', 'Missing API key: send "Authorization: Bearer <key>"'));
      return;
    }
    // Compare digests in constant time so response timing reveals nothing about the keys.
    const given = digest(match[1]!.trim());
    if (!digests.some((d) => timingSafeEqual(d, given))) {
      next(new SibylError('unauthorized', 'Invalid API key'));
      return;
    }
    next();
  };
}
