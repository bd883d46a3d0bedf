import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SibylError } from '../errors.js';
import { isUserToken, verifyUserToken } from '../util/user-token.js';
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

/** Who a request acts for: any user (an API key) or one user (that user's token). */
export type Principal = { kind: 'api-key' } | { kind: 'user'; userId: string };

export interface UserAuthOptions {
  apiKeys: string[];
  /** SIBYL_USER_TOKEN_SECRET; without it only API keys are accepted. */
  userTokenSecret?: string;
  now: () => Date;
}

/**
 * Accepts an API key or a user token (src/util/user-token.ts) as the credential, and says whether
 * it may act for `userId`: a key for anyone, a token for its own user only (403 otherwise). Without
 * `userId`, only that the credential is valid (a WebSocket upgrade; users are named per subscription).
 */
export function userAuthorizer(
  options: UserAuthOptions,
): (credential: string | undefined, userId?: string) => Principal {
  const digests = options.apiKeys.map(digest);
  return (credential, userId) => {
    if (!credential)
      throw new SibylError(
        'unauthorized',
        'Missing credentials: send "Authorization: Bearer <user token or API key>" (or ?token= on streams)',
        [{ path: 'authorization', message: 'missing' }],
      );
    if (isUserToken(credential)) {
      if (!options.userTokenSecret)
        throw new SibylError(
          'unauthorized',
          'User tokens are not accepted: SIBYL_USER_TOKEN_SECRET is unset',
          [{ path: 'authorization', message: 'user tokens disabled' }],
        );
      const check = verifyUserToken(options.userTokenSecret, credential, options.now());
      if (!check.ok)
        throw new SibylError('unauthorized', `Invalid user token (${check.reason})`, [
          { path: 'authorization', message: check.reason },
        ]);
      if (userId !== undefined && check.claims.userId !== userId)
        throw new SibylError('forbidden', 'This user token is for another user', [
          { path: 'userId', message: 'not the token’s user' },
        ]);
      return { kind: 'user', userId: check.claims.userId };
    }
    const given = digest(credential);
    if (!digests.some((d) => timingSafeEqual(d, given)))
      throw new SibylError('unauthorized', 'Invalid API key', [
        { path: 'authorization', message: 'invalid' },
      ]);
    return { kind: 'api-key' };
  };
}

/** The bearer credential of a request: the Authorization header, else `?token=` when allowed (EventSource sends no headers). */
export function bearerCredential(
  authorization: string | undefined,
  queryToken: unknown,
  allowQuery: boolean,
): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (match) return match[1]!.trim();
  return allowQuery && typeof queryToken === 'string' && queryToken ? queryToken : undefined;
}

/** Express middleware for routes with a `:userId`: an API key, or that user's token. */
export function requireUserOrApiKey(
  authorize: ReturnType<typeof userAuthorizer>,
  options: { allowQueryToken: boolean },
): RequestHandler {
  return (req, _res, next) => {
    try {
      authorize(
        bearerCredential(req.headers.authorization, req.query.token, options.allowQueryToken),
        String(req.params.userId),
      );
      next();
    } catch (err) {
      next(err);
    }
  };
}
