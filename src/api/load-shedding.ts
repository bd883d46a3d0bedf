import type { RequestHandler } from 'express';
import { Gauge, type Registry } from 'prom-client';
import { errorBody } from './errors.js';
import { SibylError } from '../errors.js';

/** Probes and scrapes are answered even under overload: an orchestrator must see the process alive. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Server-sent event streams stay open for as long as the client listens: counted, a few hundred
 * listeners would hold every place. (WebSocket upgrades never reach Express.)
 */
const isStream = (accept: string | undefined, path: string) =>
  (accept?.includes('text/event-stream') ?? false) || path.endsWith('/feed/stream'); // curl -N sends no Accept

export interface LoadSheddingOptions {
  /** Requests served at once; beyond it a request is answered 503 at once. 0 turns shedding off. */
  maxInFlight: number;
  /** The Retry-After sent with a shed request, in seconds. */
  retryAfterSeconds: number;
  /** Where the in-flight gauge is registered. */
  registry: Registry;
}

/**
 * Bounded in-flight requests. A request that would wait behind too many others is refused at once
 * with 503 and Retry-After, so clients back off (or go to another replica) instead of queueing until
 * their own timeouts; the requests let in keep their latency.
 */
export function loadShedding(options: LoadSheddingOptions): RequestHandler {
  let inFlight = 0;
  new Gauge({
    name: 'sibyl_http_in_flight_requests',
    help: 'Requests being served now (probes and scrapes excluded)',
    registers: [options.registry],
    collect() {
      this.set(inFlight);
    },
  });
  const shed = new SibylError(
    'unavailable',
    `The server is at capacity (${options.maxInFlight} requests in flight): retry after ${options.retryAfterSeconds} s`,
  );
  return (req, res, next) => {
    if (options.maxInFlight <= 0 || EXEMPT.has(req.path) || isStream(req.headers.accept, req.path)) {
      next();
      return;
    }
    if (inFlight >= options.maxInFlight) {
      res.setHeader('Retry-After', String(options.retryAfterSeconds));
      res.status(503).json(errorBody(shed));
      return;
    }
    inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
