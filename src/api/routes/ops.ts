import { Router } from 'express';
import type { ApiMetrics } from '../metrics.js';

export interface ReadinessCheck {
  name: string;
  /**
   * Resolves when the dependency can serve (with a note when it serves degraded, e.g. from a last
   * good copy); throws, saying what is wrong, when it cannot.
   */
  check(): Promise<void | string>;
}

/** Liveness, readiness (each dependency named) and Prometheus metrics. */
export function opsRoutes(metrics: ApiMetrics, checks: ReadinessCheck[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          const degraded = await c.check();
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
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
