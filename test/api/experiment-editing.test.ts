import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpExperiments, type Experiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { MongoStore } from '../../src/store/mongo-store.js';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { TEST_END } from '../helpers/fixed-clock.js';
import { simulateToStore } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';

const rule = (overrides: Record<string, unknown> = {}) => ({
  name: 'Trending vs popularity',
  variations: ['popularity', 'trending'],
  weights: [0.5, 0.5],
  coverage: 0,
  hashAttribute: 'id',
  hashVersion: 2,
  meta: [
    { key: '0', name: 'Control' },
    { key: '1', name: 'Trending' },
  ],
  ...overrides,
});

describe('creating and editing ranker experiments through the API', () => {
  let store: MongoStore;
  let experiments: Experiments;
  let t: TestApi;

  beforeAll(async () => {
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await simulateToStore(store, { seed: 3, users: 60, days: 3, end: TEST_END });
    experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      {
        now: () => TEST_END,
      },
    ))!;
    t = await makeTestApi({ store, experiments, assignment: experiments.assigner, now: TEST_END });
  });
  afterAll(() => experiments.close());

  it('rejects a bad rule naming each field, like the definition files, and stores nothing', async () => {
    const bad = await request(t.app)
      .put('/v1/experiments/trending-test')
      .set(auth)
      .send(rule({ variations: ['popularity', 'nope'], weights: [0.5, 0.4], colour: 'red' }))
      .expect(422);
    expect(bad.body.error.details).toEqual([
      expect.objectContaining({ path: 'body', message: expect.stringMatching(/colour/) }),
    ]);
    const worse = await request(t.app)
      .put('/v1/experiments/trending-test')
      .set(auth)
      .send(rule({ variations: ['popularity', 'nope'], weights: [0.5, 0.4] }))
      .expect(422);
    expect(worse.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'body.variations[1]',
      'body.weights',
    ]);
    expect(worse.body.error.details.find((d: { path: string }) => d.path === 'body.weights').message).toMatch(
      /sum to 0.9/,
    );
    const otherKey = await request(t.app)
      .put('/v1/experiments/trending-test')
      .set(auth)
      .send(rule({ key: 'x' }));
    expect(otherKey.body.error.details[0].path).toBe('body.key');
    expect((await request(t.app).put('/v1/experiments/trending-test').send(rule())).status).toBe(401);
    expect((await request(t.app).get('/v1/experiments/trending-test').set(auth)).status).toBe(404);
  });

  it('creates an experiment stopped, starts it for every replica, edits it, and serves it', async () => {
    const created = await request(t.app)
      .put('/v1/experiments/trending-test')
      .set(auth)
      .send(rule())
      .expect(201);
    expect(created.body).toMatchObject({
      key: 'trending-test',
      name: 'Trending vs popularity',
      status: 'stopped',
      variations: [
        { id: '0', name: 'Control', ranker: 'popularity', weight: 0.5 },
        { id: '1', name: 'Trending', ranker: 'trending', weight: 0.5 },
      ],
    });
    const list = await request(t.app).get('/v1/experiments').set(auth).expect(200);
    expect(list.body).toMatchObject({ editable: true, growthbookUrl: null });
    expect(list.body.rankers).toEqual(expect.arrayContaining(['popularity', 'trending', 'two-tower']));

    // The shipped experiment comes first in the rules: stopped, its users fall through to the new one.
    await request(t.app)
      .put('/v1/experiments/ranker-two-tower-vs-popularity/coverage')
      .set(auth)
      .send({ coverage: 0 })
      .expect(200);
    await request(t.app)
      .put('/v1/experiments/trending-test/coverage')
      .set(auth)
      .send({ coverage: 1 })
      .expect(200);
    const feed = await request(t.app).get('/v1/users/user-1/feed?limit=5').expect(200);
    expect(feed.body.experiment).toMatchObject({ key: 'trending-test' });
    expect(['popularity', 'trending']).toContain(feed.body.ranker);

    const replica = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
    ))!;
    expect(replica.definitions().experiments.find((e) => e.key === 'trending-test')).toMatchObject({
      coverage: 1,
      weights: [0.5, 0.5],
    });
    await replica.close();

    // An edit replaces the rule; its own coverage is what it serves.
    const edited = await request(t.app)
      .put('/v1/experiments/trending-test')
      .set(auth)
      .send(rule({ weights: [0.2, 0.8], coverage: 0.5 }))
      .expect(200);
    expect(edited.body).toMatchObject({ status: 'running', coverage: 0.5 });
    expect(edited.body.variations.map((v: { weight: number }) => v.weight)).toEqual([0.2, 0.8]);
  });

  it('previews any ranker for a user without assigning or exposing them', async () => {
    const before = await store.collection('exposures').countDocuments({ userId: 'user-2' });
    const [popular, trending] = await Promise.all(
      ['popularity', 'trending'].map((ranker) =>
        request(t.app).get(`/v1/users/user-2/feed/preview?ranker=${ranker}&limit=5`).set(auth).expect(200),
      ),
    );
    expect(popular!.body.ranker).toBe('popularity');
    expect(trending!.body.ranker).toBe('trending');
    expect(popular!.body.items).toHaveLength(5);
    expect(popular!.body.items[0]).toEqual(
      expect.objectContaining({
        ticker: expect.any(String),
        score: expect.any(Number),
        reasons: expect.any(Array),
      }),
    );
    await experiments.exposures.flush();
    expect(await store.collection('exposures').countDocuments({ userId: 'user-2' })).toBe(before);
    const bad = await request(t.app).get('/v1/users/user-2/feed/preview?ranker=nope').set(auth).expect(400);
    expect(bad.body.error.details[0].path).toBe('query.ranker');
    expect((await request(t.app).get('/v1/users/user-2/feed/preview?ranker=trending')).status).toBe(401);
  });
});
