import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { setUpExperiments } from '../../src/experiments/setup.js';
import { silentLogger } from '../../src/log/logger.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { openTestStore } from '../helpers/store.js';
import { HOUR_MS, TEST_NOW } from '../helpers/fixed-clock.js';

describe('experiments API', () => {
  it('lists the shipped experiment, shows its definition, and reports results from exposures and interactions', async () => {
    const definitions = await loadDefinitions('experiments');
    const t = await makeTestApi({ experiments: { definitions: () => definitions } });
    const list = await request(t.app).get('/v1/experiments').set(auth).expect(200);
    expect(list.body.experiments).toContainEqual(
      expect.objectContaining({
        key: 'ranker-two-tower-vs-popularity',
        status: 'running',
        variations: [
          { id: '0', name: 'Control (popularity)', ranker: 'popularity', weight: 0.5 },
          { id: '1', name: 'Two-tower', ranker: 'two-tower', weight: 0.5 },
        ],
      }),
    );
    await request(t.app).get('/v1/experiments/ranker-two-tower-vs-popularity').set(auth).expect(200);
    expect((await request(t.app).get('/v1/experiments/nope').set(auth)).status).toBe(404);
    expect((await request(t.app).get('/v1/experiments')).status).toBe(401);

    const at = new Date(TEST_NOW.getTime() - 2 * HOUR_MS);
    await t.store.collection('exposures').insertMany(
      ['a', 'b', 'c', 'd'].map((userId, i) => ({
        userId,
        experimentId: 'ranker-two-tower-vs-popularity',
        variationId: String(i % 2),
        timestamp: at,
      })),
    );
    await t.store.collection('interactions').insertMany([
      { eventId: '1', userId: 'a', ticker: 'T', type: 'impression', ts: new Date(at.getTime() + 1000) },
      { eventId: '2', userId: 'a', ticker: 'T', type: 'click', ts: new Date(at.getTime() + 2000) },
      { eventId: '3', userId: 'b', ticker: 'T', type: 'impression', ts: new Date(at.getTime() + 1000) },
      // Before b's exposure: not counted.
      { eventId: '4', userId: 'b', ticker: 'T', type: 'click', ts: new Date(at.getTime() - 1000) },
      // 10 contracts at 42¢ and 3 at 10¢, the next day: $4.50 for variation 1's two users.
      ...[
        { eventId: '5', contracts: 10, price: 0.42 },
        { eventId: '6', contracts: 3, price: 0.1 },
      ].map((t) => ({
        ...t,
        userId: 'd',
        ticker: 'T',
        type: 'trade',
        side: 'yes',
        ts: new Date(at.getTime() + 24 * HOUR_MS),
      })),
    ]);
    const results = await request(t.app)
      .get('/v1/experiments/ranker-two-tower-vs-popularity/results')
      .set(auth)
      .expect(200);
    expect(results.body.variations).toEqual([
      {
        variationId: '0',
        exposedUsers: 2,
        impressions: 1,
        clicks: 1,
        trades: 0,
        notional: 0,
        ctr: 1,
        tradeConversion: 0,
        tradesPerUser: 0,
        notionalPerUser: 0,
      },
      {
        variationId: '1',
        exposedUsers: 2,
        impressions: 1,
        clicks: 0,
        trades: 2,
        notional: 4.5,
        ctr: 0,
        tradeConversion: 0.5,
        tradesPerUser: 1,
        notionalPerUser: 2.25,
      },
    ]);
    // Day by day from the first exposure, every variation each day.
    const day = (offset: number) => new Date(at.getTime() + offset * 24 * HOUR_MS).toISOString().slice(0, 10);
    expect(results.body.daily).toEqual([
      {
        date: day(0),
        variations: [
          { variationId: '0', newUsers: 2, impressions: 1, clicks: 1, trades: 0, notional: 0 },
          { variationId: '1', newUsers: 2, impressions: 1, clicks: 0, trades: 0, notional: 0 },
        ],
      },
      {
        date: day(1),
        variations: [
          { variationId: '0', newUsers: 0, impressions: 0, clicks: 0, trades: 0, notional: 0 },
          { variationId: '1', newUsers: 0, impressions: 0, clicks: 0, trades: 2, notional: 4.5 },
        ],
      },
    ]);
    expect(results.body.sampleRatioMismatch).toMatchObject({ warning: false });
    expect(results.body.comparisons).toHaveLength(3);
  });
});

describe('starting and stopping an experiment', () => {
  it('stops and restarts a file-defined experiment for every replica through the API', async () => {
    const store = await openTestStore({ indexes: false });
    // Exposures are stamped by the API's clock (makeTestApi's, at TEST_NOW).
    const experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      { now: () => TEST_NOW },
    ))!;
    const t = await makeTestApi({ store, experiments, assignment: experiments.assigner });
    const key = 'ranker-two-tower-vs-popularity';

    const stopped = await request(t.app)
      .put(`/v1/experiments/${key}/coverage`)
      .set(auth)
      .send({ coverage: 0 })
      .expect(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', coverage: 0 });
    const feed = await request(t.app).get('/v1/users/someone/feed?limit=3').expect(200);
    expect(feed.body).toMatchObject({ ranker: 'category-affinity', experiment: null });

    // Another replica of the API sees the stop once it re-reads the overrides.
    const replica = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      { now: () => TEST_NOW },
    ))!;
    expect(replica.definitions().experiments.find((e) => e.key === key)?.coverage).toBe(0);

    await request(t.app).put(`/v1/experiments/${key}/coverage`).set(auth).send({ coverage: 1 }).expect(200);
    const again = await request(t.app).get('/v1/users/someone-else/feed?limit=3').set(auth).expect(200);
    expect(again.body.experiment).toMatchObject({ key });

    const bad = await request(t.app).put(`/v1/experiments/${key}/coverage`).set(auth).send({ coverage: 1.5 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('body.coverage');
    expect(
      (await request(t.app).put('/v1/experiments/nope/coverage').set(auth).send({ coverage: 0 })).status,
    ).toBe(404);
    await experiments.close();
    await replica.close();
  });

  it('leaves editing, starting and stopping to GrowthBook when the definitions come from its server', async () => {
    const definitions = await loadDefinitions('experiments');
    const growthbookUrl = 'http://growthbook.internal:3100/api/features/sdk-abc';
    const t = await makeTestApi({ experiments: { definitions: () => definitions, growthbookUrl } });
    const res = await request(t.app)
      .put('/v1/experiments/ranker-two-tower-vs-popularity/coverage')
      .set(auth)
      .send({ coverage: 0 });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/GrowthBook/);
    const edit = await request(t.app)
      .put('/v1/experiments/ranker-two-tower-vs-popularity')
      .set(auth)
      .send({ variations: ['popularity', 'trending'], weights: [0.5, 0.5], hashVersion: 2 });
    expect(edit.status).toBe(409);
    // The dashboard shows them read-only, linking to where they are edited.
    const list = await request(t.app).get('/v1/experiments').set(auth).expect(200);
    expect(list.body).toMatchObject({ editable: false, growthbookUrl });
  });
});
