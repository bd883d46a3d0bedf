import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import { ActiveModel } from '../../src/feed/active-model.js';
import { silentLogger } from '../../src/log/logger.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import { switchableStore } from '../helpers/switchable-store.js';
import { trainedModel } from '../helpers/tiny-model.js';
import { openTestStore } from '../helpers/store.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;

describe('with the store down', () => {
  it('serves feeds from cached data (known users personalized by the model), fails writes with 503, and says so in /readyz', async () => {
    const { store, down, up } = switchableStore(await openTestStore({ indexes: false }));
    const markets = cryptoAndSportsMarkets(30, {
      volume24h: (i) => i * 10,
      openTime: new Date(TEST_END.getTime() - 2 * DAY_MS).toISOString(),
    });
    const model = await trainedModel(
      markets.map((m) => m.ticker),
      1,
    );
    const active = new ActiveModel(async () => model, silentLogger);
    const t = await makeTestApi({ now: NOW, store, model: active });
    await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
    await active.follow('two-tower', { version: 'v1', kind: 'two-tower' } as ModelDoc);
    const interaction = {
      eventId: 'e-1',
      userId: 'u1',
      ticker: 'M-3',
      type: 'trade',
      ts: new Date(NOW.getTime() - HOUR_MS).toISOString(),
      side: 'yes',
      contracts: 1,
      price: 0.5,
    };
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [interaction] })
      .expect(200);
    const before = await request(t.app).get('/v1/users/u1/feed?limit=5').expect(200);

    down();
    // A user served before: the cached context and the model rank as before.
    const cached = await request(t.app).get('/v1/users/u1/feed?limit=5').expect(200);
    expect(cached.body.model).toBe('v1');
    expect(cached.body.items.map((i: { ticker: string }) => i.ticker)).toEqual(
      before.body.items.map((i: { ticker: string }) => i.ticker),
    );
    // A user the model was trained on but not served since start: their learned vector still ranks.
    const known = await request(t.app).get('/v1/users/u2/feed?limit=5').expect(200);
    expect(known.body).toMatchObject({ ranker: 'two-tower', model: 'v1' });
    expect(known.body.items).toHaveLength(5);
    // Someone new gets the cold-start list; cursors keep paging through snapshots.
    const stranger = await request(t.app).get('/v1/users/someone-new/feed?limit=5').expect(200);
    await request(t.app)
      .get(`/v1/users/someone-new/feed?limit=5&cursor=${encodeURIComponent(stranger.body.nextCursor)}`)
      .expect(200);

    const write = await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [{ ...interaction, eventId: 'e-2' }] })
      .expect(503);
    expect(write.headers['retry-after']).toBe('5');
    expect(write.body.error).toMatchObject({ code: 'unavailable' });
    expect(write.body.error.message).toMatch(/store is unavailable: nothing was stored/);
    const ready = await request(t.app).get('/readyz').expect(503);
    expect(JSON.stringify(ready.body)).toMatch(/store/);

    up();
    await request(t.app)
      .post('/v1/interactions')
      .set(auth)
      .send({ interactions: [{ ...interaction, eventId: 'e-2' }] })
      .expect(200);
    expect(await store.collection('interactions').countDocuments({})).toBe(2);
  });
});
