import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Standard security headers for a JSON API (helmet): nothing the API sends may load anything,
 * be framed or leak a referrer; responses are never sniffed as another type.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
  });
}

/**
 * CORS for the browser origins in SIBYL_CORS_ORIGINS (exact matches, e.g. https://app.example.com):
 * they may call every route with an API key, and read the headers clients act on. Without any
 * configured origin no CORS header is sent and browsers keep cross-origin pages out.
 */
export function corsFor(origins: string[]): RequestHandler | undefined {
  if (origins.length === 0) return undefined;
  return cors({
    origin: origins,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}

/** Feeds and anything else about one user must not be kept by shared caches (proxies, CDNs) or on disk. */
export const personalised: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'private, no-store');
  next();
};
