import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded-store.js';
import { makeTestApi } from '../helpers/api.js';

describe('operations endpoints', () => {
  it('reports liveness, and readiness per dependency', async () => {
    // A store of its own (its own server and client), so that closing it takes storage away.
    const t = await makeTestApi({ store: await openEmbeddedStore() });
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    const notYet = await request(t.app).get('/readyz');
    expect(notYet.status).toBe(503);
    expect(notYet.body.checks.catalogue).toEqual({ ok: false, error: 'market catalogue not loaded yet' });
    await t.catalogue.reload();
    const ready = await request(t.app).get('/readyz').expect(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { store: { ok: true }, catalogue: { ok: true }, jobs: { ok: true } },
    });
    await t.store.close();
    const storeDown = await request(t.app).get('/readyz');
    expect(storeDown.status).toBe(503);
    expect(storeDown.body.checks.store.ok).toBe(false);
  });

  it('exposes request latency histograms labelled by route pattern', async () => {
    const t = await makeTestApi();
    await request(t.app).get('/v1/users/alice/feed').expect(200);
    await request(t.app).get('/v1/users/bob/feed').expect(200);
    const metrics = await request(t.app).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(
      /sibyl_http_request_duration_seconds_count\{method="GET",route="\/v1\/users\/:userId\/feed",status="200"\} 2/,
    );
    expect(metrics.text).not.toMatch(/alice/);
  });
});

describe('OpenAPI document', () => {
  it('describes the feed and the ingestion batches with the validation schemas', async () => {
    const t = await makeTestApi();
    const res = await request(t.app).get('/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.0.3');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/users/{userId}/feed', '/v1/interactions', '/v1/markets']),
    );
    const interaction = res.body.components.schemas.Interaction;
    expect(interaction.required).toEqual(
      expect.arrayContaining(['eventId', 'userId', 'ticker', 'type', 'ts']),
    );
    expect(interaction.properties.type.enum).toContain('dismiss');
  });
});
