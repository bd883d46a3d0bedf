import { Router, type RequestHandler } from 'express';
import { requireApiKey } from '../auth.js';
import type { ApiMetrics } from '../metrics.js';

export interface ReadinessCheck {
  name: string;
  /**
   * Resolves when the dependency can serve (with a note when it serves degraded, e.g. from a last
   * good copy); throws, saying what is wrong, when it cannot.
   */
  check(): Promise<void | string>;
}

/** How long /readyz waits for one dependency: a probe must be answered even when one hangs. */
export const READINESS_CHECK_TIMEOUT_MS = 1_000;

/** Resolves as `check` does, or rejects once `ms` have passed without an answer. */
async function withinTime(check: () => Promise<void | string>, ms: number): Promise<void | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([check(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness (each dependency named, each given at most a second) and Prometheus metrics. */
export function opsRoutes(
  metrics: ApiMetrics,
  checks: ReadinessCheck[],
  options: { metricsApiKey?: string } = {},
): Router {
  const router = Router();
  // A separate key, so a scraper's credentials open nothing else.
  const metricsAuth: RequestHandler = options.metricsApiKey
    ? requireApiKey([options.metricsApiKey])
    : (_req, _res, next) => next();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          const degraded = await withinTime(() => c.check(), READINESS_CHECK_TIMEOUT_MS);
          return [c.name, degraded ? { ok: true, degraded } : { ok: true }] as const;
        } catch (err) {
          return [c.name, { ok: false, error: (err as Error).message }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
  router.get('/metrics', metricsAuth, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
