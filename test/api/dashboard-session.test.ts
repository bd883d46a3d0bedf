import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { API_KEY, makeTestApi } from '../helpers/api.js';
import { HOUR_MS } from '../helpers/fixed-clock.js';

/** The cookie the response set, as a browser would send it back. */
const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;

describe('dashboard sessions', () => {
  it('logs in with an API key, calls the API with the cookie and its CSRF token, and logs out', async () => {
    const t = await makeTestApi({ config: { SIBYL_DASHBOARD_SESSION_HOURS: 2 } });
    const wrong = await request(t.app).post('/dashboard/login').send({ apiKey: 'nope' }).expect(401);
    expect(wrong.body.error.details).toEqual([{ path: 'body.apiKey', message: 'not one of the API keys' }]);
    expect((await request(t.app).post('/dashboard/login').send({})).body.error.details[0].path).toBe(
      'body.apiKey',
    );

    const login = await request(t.app).post('/dashboard/login').send({ apiKey: API_KEY }).expect(200);
    const setCookie = String(login.headers['set-cookie']?.[0]);
    expect(setCookie).toMatch(/^sibyl_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=7200/);
    // Plain HTTP here; behind TLS (a proxy terminating it says so) the cookie is also Secure.
    expect(setCookie).not.toMatch(/Secure/);
    const proxied = await request(t.app)
      .post('/dashboard/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ apiKey: API_KEY })
      .expect(200);
    expect(String(proxied.headers['set-cookie']?.[0])).toMatch(/; Secure/);
    const cookie = cookieOf(login);
    const { csrfToken } = login.body as { csrfToken: string };

    // Without a session, or with the cookie but not the token (what a cross-site request carries): 401.
    expect((await request(t.app).get('/v1/job-runs')).status).toBe(401);
    expect((await request(t.app).get('/v1/job-runs').set('Cookie', cookie)).status).toBe(401);
    expect(
      (await request(t.app).get('/v1/job-runs').set('Cookie', cookie).set('X-CSRF-Token', 'forged')).status,
    ).toBe(401);
    await request(t.app).get('/v1/job-runs').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).expect(200);
    const session = await request(t.app).get('/dashboard/session').set('Cookie', cookie).expect(200);
    expect(session.body).toMatchObject({ loggedIn: true, csrfToken });

    // A tampered cookie is refused; so is one past its expiry.
    const tampered = cookie.replace(/\.(\d+)\./, (_m, ms: string) => `.${Number(ms) + 1}.`);
    const loggedOut = { loggedIn: false };
    expect((await request(t.app).get('/dashboard/session').set('Cookie', tampered)).body).toEqual(loggedOut);
    await request(t.app)
      .get('/v1/job-runs')
      .set('Cookie', tampered)
      .set('X-CSRF-Token', csrfToken)
      .expect(401);
    t.clock.advance(2 * HOUR_MS);
    expect((await request(t.app).get('/dashboard/session').set('Cookie', cookie)).body).toEqual(loggedOut);
    await request(t.app).get('/v1/job-runs').set('Cookie', cookie).set('X-CSRF-Token', csrfToken).expect(401);

    const again = await request(t.app).post('/dashboard/login').send({ apiKey: API_KEY }).expect(200);
    expect((await request(t.app).post('/dashboard/logout').set('Cookie', cookieOf(again))).status).toBe(401);
    const out = await request(t.app)
      .post('/dashboard/logout')
      .set('Cookie', cookieOf(again))
      .set('X-CSRF-Token', again.body.csrfToken)
      .expect(200);
    expect(String(out.headers['set-cookie']?.[0])).toMatch(/^sibyl_session=;/);
  });

  it('serves the built pages with a strict content security policy, and says when they are not built', async () => {
    const missing = await makeTestApi({ config: { SIBYL_DASHBOARD_DIR: '/nonexistent' } });
    const res = await request(missing.app).get('/dashboard').expect(503);
    expect(res.body.error.message).toMatch(/npm run build:dashboard/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});
