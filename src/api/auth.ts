import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { SibylError } from '../errors.js';
import { isUserToken, verifyUserToken } from '../util/user-token.js';
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

/**
 * Express middleware for routes with a `:userId`: an API key, or that user's token. With
 * `optional`, a request without credentials passes as anonymous (a credential sent must still be
 * valid). Who asked is left in `res.locals.principal` (undefined: anonymous).
 */
export function requireUserOrApiKey(
  authorize: ReturnType<typeof userAuthorizer>,
  options: {
    allowQueryToken: boolean;
    optional?: boolean;
    /** Whose request this is. @defaultValue the `userId` path parameter */
    userOf?: (req: Request) => string;
  },
): RequestHandler {
  const userOf = options.userOf ?? ((req: Request) => String(req.params.userId));
  return (req, res, next) => {
    try {
      const credential = bearerCredential(
        req.headers.authorization,
        req.query.token,
        options.allowQueryToken,
      );
      const principal: Principal | undefined =
        credential === undefined && options.optional ? undefined : authorize(credential, userOf(req));
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
