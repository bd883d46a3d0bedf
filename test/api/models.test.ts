import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerKind, unregisterKind } from '../../models/kinds.js';
import { ModelRegistry, newVersion } from '../../models/registry/registry.js';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { FAKE_KIND, fakeCandidate, fakeKind } from '../models/registry-fixtures.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

beforeAll(() => registerKind(fakeKind));
afterAll(() => unregisterKind(FAKE_KIND));

describe('models API', () => {
  let dir: string;
  let t: TestApi;
  let registry: ModelRegistry;
  /** Candidates a minute apart from the API's now (TEST_NOW); the trainer's registry stamps by it too. */
  let clock = TEST_NOW.getTime();
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sibyl-api-models-'));
    t = await makeTestApi();
    // The trainer's registry writes artifacts here; the API's finds them through the documents.
    registry = new ModelRegistry({ store: t.store, modelsDir: dir, now: () => new Date(clock) });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function candidate() {
    const createdAt = new Date((clock += 60_000));
    const dataWindow = { from: new Date(createdAt.getTime() - 86_400_000), to: createdAt };
    return fakeCandidate(registry, createdAt, { dataWindow, seed: 1 });
  }

  it('lists models newest first, filters by status, and shows one', async () => {
    const a = await candidate();
    const b = await candidate();
    await registry.promote(a.version, { reason: 'x' });
    await registry.update(b.version, { metrics: { candidate: { 'ndcg@10': 0.3 } } });

    const list = await request(t.app).get('/v1/models').set(auth).expect(200);
    expect(list.body.active).toBeNull(); // the default kind's (two-tower): none here
    expect(list.body.activeByKind).toEqual({ [FAKE_KIND]: a.version });
    expect(list.body.models.map((m: { version: string }) => m.version)).toEqual([b.version, a.version]);
    expect(list.body.models[0]._id).toBeUndefined();
    const active = await request(t.app).get('/v1/models?status=active').set(auth).expect(200);
    expect(active.body.models).toHaveLength(1);
    expect((await request(t.app).get('/v1/models?status=bogus').set(auth)).status).toBe(400);

    const one = await request(t.app).get(`/v1/models/${b.version}`).set(auth).expect(200);
    expect(one.body).toMatchObject({
      version: b.version,
      status: 'candidate',
      metrics: { candidate: { 'ndcg@10': 0.3 } },
    });
    const missing = await request(t.app).get('/v1/models/nope').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found' });
  });

  it('promotes by hand and rolls back', async () => {
    const a = await candidate();
    const b = await candidate();
    const promoted = await request(t.app)
      .post(`/v1/models/${a.version}/promote`)
      .set(auth)
      .send({ reason: 'hotfix' })
      .expect(200);
    expect(promoted.body).toMatchObject({
      version: a.version,
      status: 'active',
      promotionReason: 'manual: hotfix',
    });
    await request(t.app).post(`/v1/models/${b.version}/promote`).set(auth).expect(200);
    expect((await registry.activeModel(FAKE_KIND))?.version).toBe(b.version);

    const back = await request(t.app)
      .post('/v1/models/rollback')
      .set(auth)
      .send({ kind: FAKE_KIND })
      .expect(200);
    expect(back.body).toMatchObject({ version: a.version, status: 'active' });
    const explicit = await request(t.app).post('/v1/models/rollback').set(auth).send({ version: b.version });
    expect(explicit.status).toBe(200);
    expect(explicit.body.version).toBe(b.version);
    expect(await t.store.collection('models').countDocuments({ status: 'active' })).toBe(1);
  });

  it('answers 401 without the key, 404 for unknown versions, 409 for failed or unloadable models', async () => {
    const a = await candidate();
    expect((await request(t.app).get('/v1/models')).status).toBe(401);
    expect((await request(t.app).post(`/v1/models/${a.version}/promote`).send({})).status).toBe(401);
    expect((await request(t.app).post('/v1/models/rollback').send({})).status).toBe(401);
    expect((await request(t.app).post('/v1/models/nope/promote').set(auth).send({})).status).toBe(404);
    expect(
      (await request(t.app).post('/v1/models/rollback').set(auth).send({ version: 'nope' })).status,
    ).toBe(404);

    const failed = await registry.recordFailure({
      version: newVersion(FAKE_KIND, new Date((clock += 60_000))),
      kind: FAKE_KIND,
      dataWindow: { from: new Date(0), to: new Date(clock) },
      seed: 1,
      hyperparameters: {},
      testFraction: 0.1,
      createdAt: new Date(clock),
      error: 'boom',
    });
    const refused = await request(t.app).post(`/v1/models/${failed.version}/promote`).set(auth).send({});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'conflict',
      details: { status: 'failed', error: 'boom' },
    });

    const broken = await candidate();
    await unlink(join(broken.artifactDir, 'state.json'));
    const unloadable = await request(t.app).post(`/v1/models/${broken.version}/promote`).set(auth).send({});
    expect(unloadable.status).toBe(409);
    expect(unloadable.body.error.message).toMatch(/cannot be loaded/);

    // Nothing to roll back to yet; a candidate is not a rollback target.
    expect((await request(t.app).post('/v1/models/rollback').set(auth).send({})).status).toBe(409);
    expect(
      (await request(t.app).post('/v1/models/rollback').set(auth).send({ kind: FAKE_KIND })).status,
    ).toBe(409);
    const unknownKind = await request(t.app).post('/v1/models/rollback').set(auth).send({ kind: 'nope' });
    expect(unknownKind.status).toBe(422);
    expect(unknownKind.body.error.details[0].path).toBe('body.kind');
    expect(
      (await request(t.app).post('/v1/models/rollback').set(auth).send({ version: a.version })).status,
    ).toBe(409);
    const bad = await request(t.app).post('/v1/models/rollback').set(auth).send({ version: 5 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('body.version');
    expect(await registry.activeModel(FAKE_KIND)).toBeUndefined();
  });

  it('is in the OpenAPI document', async () => {
    const doc = await request(t.app).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/models',
        '/v1/models/{version}',
        '/v1/models/{version}/promote',
        '/v1/models/rollback',
      ]),
    );
  });
});
