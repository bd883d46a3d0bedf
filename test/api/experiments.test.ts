import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { auth, makeTestApi } from '../helpers/api.js';

describe('experiments API', () => {
  it('lists the shipped experiment, shows its definition, and reports results from exposures and interactions', async () => {
    const definitions = await loadDefinitions('experiments');
    const t = await makeTestApi({ experiments: () => definitions });
    const list = await request(t.app).get('/v1/experiments').set(auth).expect(200);
    expect(list.body.experiments).toContainEqual(
      expect.objectContaining({
        key: 'ranker-trending-vs-popularity',
        status: 'running',
        variations: [
          { id: '0', ranker: 'popularity', weight: 0.5 },
          { id: '1', ranker: 'trending', weight: 0.5 },
        ],
      }),
    );
    await request(t.app).get('/v1/experiments/ranker-trending-vs-popularity').set(auth).expect(200);
    expect((await request(t.app).get('/v1/experiments/nope').set(auth)).status).toBe(404);
    expect((await request(t.app).get('/v1/experiments')).status).toBe(401);

    const at = new Date('2026-11-22T10:00:00Z');
    await t.store.collection('exposures').insertMany(
      ['a', 'b', 'c', 'd'].map((userId, i) => ({
        userId,
        experimentId: 'ranker-trending-vs-popularity',
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
    ]);
    const results = await request(t.app)
      .get('/v1/experiments/ranker-trending-vs-popularity/results')
      .set(auth)
      .expect(200);
    expect(results.body.variations).toEqual([
      {
        variationId: '0',
        exposedUsers: 2,
        impressions: 1,
        clicks: 1,
        trades: 0,
        ctr: 1,
        tradeConversion: 0,
        tradesPerUser: 0,
      },
      {
        variationId: '1',
        exposedUsers: 2,
        impressions: 1,
        clicks: 0,
        trades: 0,
        ctr: 0,
        tradeConversion: 0,
        tradesPerUser: 0,
      },
    ]);
    expect(results.body.sampleRatioMismatch).toMatchObject({ warning: false });
    expect(results.body.comparisons).toHaveLength(3);
  });
});
