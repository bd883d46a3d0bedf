import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { auth, makeTestApi } from '../helpers/api.js';
import { seedInteractions } from '../jobs/fixture.js';
import { HOUR_MS, TEST_END } from '../helpers/fixed-clock.js';

describe('jobs API (in-process runner)', () => {
  it('triggers a feature rebuild and reports its status and run', async () => {
    // An hour after the fixture's interactions arrived (at TEST_END).
    const t = await makeTestApi({ now: new Date(TEST_END.getTime() + HOUR_MS) });
    await seedInteractions(t.store);
    const first = await request(t.app).post('/v1/jobs/rebuild-features').set(auth).send({});
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ name: 'rebuild-features', deduplicated: false });

    let status;
    for (let i = 0; i < 200; i++) {
      status = (await request(t.app).get(first.body.status).set(auth).expect(200)).body;
      if (status.state === 'completed' || status.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toMatchObject({
      state: 'completed',
      name: 'rebuild-features',
      result: { mode: 'full', interactions: 320 },
    });
    const runs = await request(t.app).get('/v1/job-runs?name=rebuild-features').set(auth).expect(200);
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toMatchObject({ status: 'completed', name: 'rebuild-features' });
  });

  it('names unknown jobs and bad payloads, and requires the API key', async () => {
    const t = await makeTestApi();
    const unknown = await request(t.app).post('/v1/jobs/make-coffee').set(auth).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/rebuild-features/);
    const bad = await request(t.app).post('/v1/jobs/nightly').set(auth).send({ chainId: 5 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('body.chainId');
    expect((await request(t.app).post('/v1/jobs/nightly').send({})).status).toBe(401);
    expect((await request(t.app).get('/v1/jobs/whatever').set(auth)).status).toBe(404);
  });
});
