import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';

describe("a client's mistakes are 4xx, never 5xx (#23 item 7)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi();
  });

  it('answers a Content-Encoding the server does not decode with 415', async () => {
    const res = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{"interactions":[]}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers an undecodable path with 400', async () => {
    const res = await request(t.app).get('/v1/users/%ED%A0%80/feed');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request' });
    expect(res.body.error.message).toMatch(/path/i);
  });

  it('answers a body that is not JSON with 415 naming the content type', async () => {
    const res = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .set('Content-Type', 'text/plain')
      .send('{"interactions":[]}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toContain('application/json');
  });

  it('answers a write without a body with 415', async () => {
    const res = await request(t.app).put('/v1/markets').set(auth);
    expect(res.status).toBe(415);
  });

  it('answers an unsupported charset with 415', async () => {
    const res = await request(t.app)
      .put('/v1/markets')
      .set(auth)
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{"markets":[]}');
    expect(res.status).toBe(415);
  });
});
