import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';

const APP = 'https://app.example.com';

describe('CORS, caching and security headers (#23 item 3)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi({ config: { SIBYL_CORS_ORIGINS: [APP, 'https://admin.example.com'] } });
  });

  it('answers a preflight from a configured origin, allowing the API key header', async () => {
    const res = await request(t.app)
      .options('/v1/interactions')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('lets a configured origin read a feed, and no other', async () => {
    const ok = await request(t.app).get('/v1/users/u/feed').set('Origin', APP).expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    const other = await request(t.app)
      .get('/v1/users/u/feed')
      .set('Origin', 'https://evil.example')
      .expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const plain = await makeTestApi({ store: t.store });
    const res = await request(plain.app).get('/v1/users/u/feed').set('Origin', APP).expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps personalised responses out of shared caches', async () => {
    const feed = await request(t.app).get('/v1/users/u/feed').expect(200);
    expect(feed.headers['cache-control']).toBe('private, no-store');
    const preview = await request(t.app)
      .get('/v1/users/u/feed/preview?ranker=popularity')
      .set(auth)
      .expect(200);
    expect(preview.headers['cache-control']).toBe('private, no-store');
  });

  it('sends standard security headers', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
