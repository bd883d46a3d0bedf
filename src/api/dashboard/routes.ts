import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SibylError } from '../../errors.js';
import { apiKeyMatcher } from '../auth.js';
import { handle } from '../handler.js';
import { CSRF_HEADER, SESSION_COOKIE, SessionSigner, readCookie } from './session.js';

export interface DashboardOptions {
  /** The built dashboard (index.html and assets/), from `npm run build:dashboard`. */
  assetsDir: string;
  /** How long a login lasts. */
  sessionTtlMs: number;
}

/** The pages run only their own bundled scripts and talk only to this origin. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Whether the browser reached us over HTTPS, directly or through a proxy that terminates TLS. The
 * proxy's header is believed without "trust proxy": a client that forges it only makes its own
 * cookie stricter (Secure), never weaker.
 */
function overHttps(req: Request): boolean {
  return req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

const cookieOptions = (req: Request) =>
  ({ httpOnly: true, sameSite: 'strict', secure: overHttps(req), path: '/' }) as const;

function setSessionCookie(req: Request, res: Response, value: string, maxAgeMs: number) {
  // Behind TLS the cookie never travels in clear; HttpOnly keeps it from scripts, Strict from other sites.
  res.cookie(SESSION_COOKIE, value, { ...cookieOptions(req), maxAge: maxAgeMs });
}

export const dashboardLoginBody = z.strictObject({ apiKey: z.string().min(1).max(512) });

/**
 * `/dashboard`: the product managers' pages and their login. Logging in with an API key sets a
 * signed session cookie (HttpOnly, SameSite=Strict); the pages then call the public `/v1` API with
 * that cookie and the session's CSRF token header, like any client (no routes of their own).
 */
export function dashboardRoutes(
  options: DashboardOptions & { apiKeys: string[]; signer: SessionSigner; now: () => Date },
): Router {
  const router = Router();
  const matches = apiKeyMatcher(options.apiKeys);
  const assets = resolve(options.assetsDir);
  router.use('/dashboard', (_req, res, next) => {
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'same-origin');
    next();
  });

  router.post(
    '/dashboard/login',
    express.json({ limit: '4kb' }),
    handle({ body: dashboardLoginBody }, ({ body, req, res }) => {
      if (options.apiKeys.length === 0 || !matches(body.apiKey)) {
        throw new SibylError('unauthorized', 'Invalid API key', [
          { path: 'body.apiKey', message: 'not one of the API keys' },
        ]);
      }
      const { cookie, session } = options.signer.issue(options.now());
      setSessionCookie(req, res, cookie, options.signer.ttlMs);
      return session;
    }),
  );
  router.get(
    '/dashboard/session',
    handle({}, ({ req, res }) => {
      const session = options.signer.verify(readCookie(req, SESSION_COOKIE), options.now());
      res.set('Cache-Control', 'no-store');
      // Not an error: the page asks on every load, before anyone logged in.
      return session ? { loggedIn: true, ...session } : { loggedIn: false };
    }),
  );
  router.post(
    '/dashboard/logout',
    handle({}, ({ req, res }) => {
      // Like any state change, only from the dashboard's own scripts (cross-site forms cannot set it).
      if (!options.signer.authenticates(req, options.now()))
        throw new SibylError('unauthorized', `Not logged in, or no ${CSRF_HEADER} header`);
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return { loggedOut: true };
    }),
  );

  // Hashed file names never change content: cached for a year. index.html is always revalidated.
  router.use(
    '/dashboard/assets',
    express.static(join(assets, 'assets'), { index: false, immutable: true, maxAge: '365d' }),
  );
  router.get(['/dashboard', '/dashboard/'], (_req, res, next) => {
    const index = join(assets, 'index.html');
    if (!existsSync(index)) {
      next(
        new SibylError(
          'unavailable',
          `The dashboard is not built (no ${index}): run "npm run build:dashboard"`,
        ),
      );
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
