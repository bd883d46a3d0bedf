import { describe, expect, it } from 'vitest';
import { listenApi } from '../../src/server/api-server.js';
import { makeTestApi } from '../helpers/api.js';

describe('the probes on a port of their own (SIBYL_PROBE_PORT)', () => {
  it('answers /healthz and /readyz there with the same checks, and nothing else', async () => {
    const t = await makeTestApi();
    await t.catalogue.reload();
    const server = await listenApi(t.composition, 0, '127.0.0.1', 0);
    const probeUrl = server.probeUrl!;
    expect(probeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(probeUrl).not.toBe(server.url);
    try {
      const health = await fetch(`${probeUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${probeUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { store: { ok: true }, catalogue: { ok: true }, jobs: { ok: true } },
      });
      // The API itself, its metrics and its documents stay on the main port.
      for (const path of ['/v1/users/alice/feed', '/metrics', '/openapi.json'])
        expect((await fetch(`${probeUrl}${path}`)).status, path).toBe(404);
      expect((await fetch(`${probeUrl}/healthz`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${server.url}/v1/users/alice/feed`)).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    // Closed with the API.
    await expect(fetch(`${probeUrl}/healthz`)).rejects.toThrow();
  });

  it('is not opened unless asked for', async () => {
    const t = await makeTestApi();
    const server = await listenApi(t.composition, 0, '127.0.0.1');
    try {
      expect(server.probeUrl).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
