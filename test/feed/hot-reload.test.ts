import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import type { TwoTowerModel } from '../../models/two-tower/model.js';
import { ActiveModel } from '../../src/feed/active-model.js';
import { silentLogger } from '../../src/log/logger.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import { trainedModel } from '../helpers/tiny-model.js';
import { DAY_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;

const doc = (version: string) => ({ version, kind: 'two-tower' }) as ModelDoc;

describe('hot model reload', () => {
  it('swaps models under load without failing a request; each feed names the model that ranked it', async () => {
    const models = new Map<string, TwoTowerModel>();
    const active = new ActiveModel(async (version) => models.get(version)!, silentLogger);
    const t = await makeTestApi({ now: NOW, model: active });
    const markets = cryptoAndSportsMarkets(30, {
      volume24h: (i) => i * 10,
      openTime: new Date(TEST_END.getTime() - 2 * DAY_MS).toISOString(),
    });
    await request(t.app).put('/v1/markets').set(auth).send({ markets }).expect(200);
    const tickers = markets.map((m) => m.ticker);
    models.set('v1', await trainedModel(tickers, 1));
    models.set('v2', await trainedModel(tickers, 2));
    await active.follow('two-tower', doc('v1'));

    // Ten waves of 20 concurrent requests, each wave racing a swap (as the watcher triggers it).
    const seen = new Set<string>();
    for (let wave = 0; wave < 10; wave++) {
      const swap = active.follow('two-tower', doc(wave % 2 ? 'v1' : 'v2'));
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => request(t.app).get(`/v1/users/u${i % 4}/feed?limit=5`)),
      );
      await swap;
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(5);
        seen.add(res.body.model);
      }
    }
    expect([...seen].sort()).toEqual(['v1', 'v2']);
  });

  it('serves the previous model until the new one is prepared', async () => {
    const models = new Map([
      ['v1', await trainedModel(['A', 'B'], 1)],
      ['v2', await trainedModel(['A', 'B'], 2)],
    ]);
    let release!: () => void;
    const prepared = new Promise<void>((resolve) => (release = resolve));
    const active = new ActiveModel(
      async (version) => models.get(version)!,
      silentLogger,
      (serving) => (serving.version === 'v2' ? prepared : undefined),
    );
    await active.follow('two-tower', doc('v1'));
    const swap = active.follow('two-tower', doc('v2'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(active.current('two-tower')?.version).toBe('v1');
    release();
    await swap;
    expect(active.current('two-tower')?.version).toBe('v2');
  });

  it('serves a model with the blends learned for it, and a later version with its own', async () => {
    const models = new Map([
      ['v1', await trainedModel(['A', 'B'], 1)],
      ['v2', await trainedModel(['A', 'B'], 2)],
    ]);
    const active = new ActiveModel(async (version) => models.get(version)!, silentLogger);
    const fit = (popularity: number) => ({
      ranker: 'two-tower',
      weights: { model: 3, popularity },
      validation: { from: '', to: '', users: 40, k: 10, ndcgHand: 0.1, ndcgFitted: 0.12 },
      seconds: 1,
    });
    await active.follow('two-tower', { ...doc('v1'), blends: { 'two-tower': fit(0.5) } });
    expect(active.current('two-tower')?.blends).toEqual({ 'two-tower': { model: 3, popularity: 0.5 } });
    await active.follow('two-tower', doc('v2'));
    expect(active.current('two-tower')?.version).toBe('v2');
    expect(active.current('two-tower')?.blends).toBeUndefined();
  });
});
