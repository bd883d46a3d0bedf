import express, { type RequestHandler } from 'express';
import { SibylError } from '../errors.js';

/**
 * Request bodies are JSON or refused: a body of another type (text/plain, a form) is a 415 naming
 * the type expected, rather than a confusing validation error about the fields it seemed to lack.
 * Bodiless requests pass (job triggers and promotions take none).
 */
/** application/json and its structured-syntax suffix (application/vnd.example+json). */
const JSON_TYPES = ['application/json', 'application/*+json'];

export function jsonBodies(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    // req.is answers null for a bodiless request (no Content-Length or Transfer-Encoding); an empty
    // body (Content-Length: 0, as many clients send on a bare POST) is no body either.
    const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
    if (empty || req.is(JSON_TYPES) !== false) return next();
    const type = req.headers['content-type'] ?? 'none';
    next(
      new SibylError(
        'unsupported_media_type',
        `Request bodies must be application/json (Content-Type was ${type})`,
        [{ path: 'headers.content-type', message: 'expected application/json' }],
      ),
    );
  };
  return [requireJson, express.json({ limit, type: JSON_TYPES })];
}
