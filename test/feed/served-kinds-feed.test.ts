import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainSet } from '../../models/core/types.js';
import { catalogueContent, loadTrainingData } from '../../models/data/from-store.js';
import { getKind } from '../../models/kinds.js';
import { ModelRegistry, newVersion } from '../../models/registry/registry.js';
import { ActiveModelWatcher } from '../../models/registry/watcher.js';
import type { BlendFit, ModelDoc } from '../../src/domain/model-doc.js';
import { setUpExperiments, type Experiments } from '../../src/experiments/setup.js';
import { ActiveModel } from '../../src/feed/active-model.js';
import { BLEND_TERMS } from '../../src/feed/pipeline/rank-feed.js';
import { refreshFeatures } from '../../src/features/refresh.js';
import { DEFAULT_FEATURE_CONFIG } from '../../src/features/feature-config.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import type { MongoStore } from '../../src/store/mongo-store.js';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { HOUR_MS, TEST_END } from '../helpers/fixed-clock.js';
import { simulateToStore } from '../helpers/simulation.js';
import { openTestStore } from '../helpers/store.js';

const KINDS = ['two-tower', 'ease', 'bpr-mf'] as const;
type Kind = (typeof KINDS)[number];
const HYPERPARAMETERS: Record<Kind, Record<string, unknown>> = {
  'two-tower': { dim: 16, epochs: 2, batchSize: 256 },
  ease: { lambda: 100 },
  'bpr-mf': { dim: 16, epochs: 20 },
};
const NOW = new Date(TEST_END.getTime() + HOUR_MS);

/**
 * Each version is stored with a blend that weighs the model alone, so a feed's `score` is its
 * model's score and the order it implies is checkable against the model itself (the learned blends
 * of a retrain mix in popularity and the rest; which blend serves is the model version's business).
 */
const modelOnly = (ranker: string): Record<string, BlendFit> => ({
  [ranker]: {
    ranker,
    weights: Object.fromEntries(BLEND_TERMS.map((t) => [t, t === 'model' ? 1 : 0])),
    validation: { from: '', to: '', users: 0, k: 10, ndcgHand: 0, ndcgFitted: 0 },
    seconds: 0,
  },
});

describe('experiment arms ranked by the two-tower, EASE and BPR-MF', () => {
  let store: MongoStore;
  let modelsDir: string;
  let registry: ModelRegistry;
  let watcher: ActiveModelWatcher;
  let active: ActiveModel;
  let experiments: Experiments;
  let t: TestApi;
  let trained: Set<string>;
  const versions = new Map<Kind, ModelDoc>();

  beforeAll(async () => {
    store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await simulateToStore(store, { seed: 21, users: 300, days: 7, end: TEST_END });
    await refreshFeatures(store, {
      mode: 'full',
      now: TEST_END,
      config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 },
    });
    const data = await loadTrainingData(store, { to: TEST_END });
    const train: TrainSet = {
      log: data.log,
      content: data.content,
      numUsers: data.log.userIds.length,
      numItems: data.log.itemIds.length,
      cutoffMs: TEST_END.getTime(),
    };
    trained = new Set(data.log.itemIds);
    modelsDir = await mkdtemp(join(tmpdir(), 'sibyl-served-kinds-'));
    registry = new ModelRegistry({ store, modelsDir, now: () => NOW });
    for (const kind of KINDS) {
      const model = getKind(kind).create(HYPERPARAMETERS[kind]);
      await model.fit(train, { seed: 5 });
      versions.set(
        kind,
        await registry.createCandidate({
          version: newVersion(kind, NOW),
          kind,
          model,
          dataWindow: { from: new Date(0), to: TEST_END },
          seed: 5,
          testFraction: 0.1,
          createdAt: NOW,
          blends: modelOnly(kind),
        }),
      );
    }
    // BPR-MF is promoted later: its arm serves the fallback until then.
    await registry.promote(versions.get('two-tower')!.version, { reason: 'test' });
    await registry.promote(versions.get('ease')!.version, { reason: 'test' });

    // The API follows the registry's active models as `sibyl serve` does (polled here, without Redis).
    active = new ActiveModel((version) => registry.loadModel(version), silentLogger);
    watcher = new ActiveModelWatcher({ registry, pollSeconds: 3600, logger: silentLogger });
    active.watch(watcher);
    await watcher.start();
    for (const doc of watcher.current) await active.follow(doc.kind, doc);
    experiments = (await setUpExperiments(
      { dir: 'experiments', overridesRefreshMs: 3_600_000 },
      store,
      silentLogger,
      { now: () => NOW },
    ))!;
    t = await makeTestApi({
      store,
      now: NOW,
      model: active,
      experiments,
      assignment: experiments.assigner,
    });

    // The product manager's experiment: the shipped one stopped, three arms by model.
    await request(t.app)
      .put('/v1/experiments/ranker-two-tower-vs-popularity/coverage')
      .set(auth)
      .send({ coverage: 0 })
      .expect(200);
    await request(t.app)
      .put('/v1/experiments/models-three-ways')
      .set(auth)
      .send({
        name: 'Two-tower vs EASE vs BPR-MF',
        variations: ['two-tower', 'ease', 'bpr-mf'],
        weights: [0.34, 0.33, 0.33],
        coverage: 1,
        hashAttribute: 'id',
        hashVersion: 2,
        meta: [
          { key: '0', name: 'Two-tower' },
          { key: '1', name: 'EASE' },
          { key: '2', name: 'BPR-MF' },
        ],
      })
      .expect(201);
  }, 180_000);

  afterAll(async () => {
    await watcher.stop();
    await experiments.close();
    await rm(modelsDir, { recursive: true, force: true });
    await store.close();
  });

  /** Brand-new users (never trained on), each with three clicks on open markets the models know. */
  async function newUsers(prefix: string, n: number): Promise<Map<string, string[]>> {
    const snapshot = await t.catalogue.current();
    const known = snapshot.markets.filter((m) => trained.has(m.ticker));
    const histories = new Map<string, string[]>();
    const interactions = [];
    for (let u = 0; u < n; u++) {
      const userId = `${prefix}-${u}`;
      const picks = [0, 1, 2].map((k) => known[(u * 7 + k * 13) % known.length]!.ticker);
      histories.set(userId, picks);
      for (const [k, ticker] of picks.entries())
        interactions.push({
          eventId: `${userId}-${k}`,
          userId,
          ticker,
          type: 'click',
          ts: new Date(NOW.getTime() - (10 - k) * 60_000).toISOString(),
        });
    }
    await request(t.app).post('/v1/interactions').set(auth).send({ interactions }).expect(200);
    return histories;
  }

  /** The model's own scores (its offline scoreUser, bound to a split of this user's clicks) for `tickers`. */
  async function modelScores(kind: Kind, userId: string, history: string[], tickers: string[]) {
    const model = await registry.loadModel(versions.get(kind)!.version);
    const itemIds = [...new Set([...tickers, ...history])].sort();
    const index = new Map(itemIds.map((id, i) => [id, i]));
    const train: TrainSet = {
      log: {
        userIds: [userId],
        itemIds,
        user: new Int32Array(history.length),
        item: Int32Array.from(history, (tk) => index.get(tk)!),
        ts: Float64Array.from(history, (_, k) => NOW.getTime() - (10 - k) * 60_000),
        weight: new Float32Array(history.length).fill(1),
      },
      numUsers: 1,
      numItems: itemIds.length,
      cutoffMs: NOW.getTime(),
      content: await catalogueContent(store, itemIds),
    };
    model.bind(train);
    const out = new Float32Array(itemIds.length);
    model.scoreUser(0, out);
    return new Map(tickers.map((tk) => [tk, out[index.get(tk)!]!]));
  }

  /**
   * The feed's items (markets the models were trained on) ordered by their `score` as the model
   * orders them; the feed's best such item is the model's best open market.
   */
  async function expectRankedBy(kind: Kind, userId: string, history: string[], items: FeedItem[]) {
    const known = items.filter((i) => trained.has(i.ticker));
    expect(known.length, `${kind} ${userId}: known markets in the feed`).toBeGreaterThan(10);
    const snapshot = await t.catalogue.current();
    const eligible = snapshot.markets
      .filter((m) => trained.has(m.ticker) && m.closeTime.getTime() > NOW.getTime() + 30 * 60_000)
      .map((m) => m.ticker);
    const scores = await modelScores(kind, userId, history, eligible);
    let disagreements = 0;
    let pairs = 0;
    for (const a of known)
      for (const b of known) {
        if (a.score - b.score <= 2e-4) continue; // ties within the response's rounding
        pairs++;
        if (!(scores.get(a.ticker)! > scores.get(b.ticker)!)) disagreements++;
      }
    expect(pairs).toBeGreaterThan(50);
    expect(disagreements, `${kind} ${userId}: pairs ordered against the model`).toBe(0);
    const best = eligible.reduce((x, y) => (scores.get(y)! > scores.get(x)! ? y : x));
    const top = known.reduce((x, y) => (y.score > x.score ? y : x));
    expect(top.ticker, `${kind} ${userId}: the model's best open market`).toBe(best);
  }

  interface FeedItem {
    ticker: string;
    score: number;
  }

  it('serves each arm by its kind’s active model, a kind without one by its fallback, and BPR-MF once promoted', async () => {
    const histories = await newUsers('arm-user', 15);
    const feeds = async () => {
      const out = [];
      for (const [userId, history] of histories) {
        const res = await request(t.app).get(`/v1/users/${userId}/feed?limit=100`).set(auth).expect(200);
        out.push({ userId, history, body: res.body });
      }
      return out;
    };
    const before = await feeds();
    const arms = new Set(before.map((f) => f.body.experiment?.variation));
    expect([...arms].sort()).toEqual(['0', '1', '2']);
    for (const { userId, history, body } of before) {
      const arm = ['two-tower', 'ease', 'bpr-mf'][Number(body.experiment.variation)] as Kind;
      expect(body.experiment.key).toBe('models-three-ways');
      if (arm === 'bpr-mf') {
        // No BPR-MF model is active yet: its arm says it was served by category affinity.
        expect(body).toMatchObject({ ranker: 'category-affinity', model: null });
        continue;
      }
      expect(body).toMatchObject({ ranker: arm, model: versions.get(arm)!.version });
      await expectRankedBy(arm, userId, history, body.items);
    }

    // Promoting BPR-MF changes its arm only; the two-tower and EASE stay active and serving.
    await registry.promote(versions.get('bpr-mf')!.version, { reason: 'test' });
    await watcher.check();
    for (const doc of watcher.current) await active.follow(doc.kind, doc);
    expect((await registry.activeModels()).map((d) => d.version).sort()).toEqual(
      [...versions.values()].map((d) => d.version).sort(),
    );
    // Cached first pages are snapshots: new users (and new clicks) for fresh first pages.
    const later = await newUsers('later-user', 15);
    for (const [userId, history] of later) {
      const res = await request(t.app).get(`/v1/users/${userId}/feed?limit=100`).set(auth).expect(200);
      const arm = ['two-tower', 'ease', 'bpr-mf'][Number(res.body.experiment.variation)] as Kind;
      expect(res.body).toMatchObject({ ranker: arm, model: versions.get(arm)!.version });
      await expectRankedBy(arm, userId, history, res.body.items);
    }
  }, 120_000);

  it('gives a brand-new user a BPR-MF feed from their first clicks (preview, no experiment)', async () => {
    const [userId, history] = [...(await newUsers('fresh-user', 1))][0]!;
    const res = await request(t.app)
      .get(`/v1/users/${userId}/feed/preview?ranker=bpr-mf&limit=100`)
      .set(auth)
      .expect(200);
    expect(res.body).toMatchObject({ ranker: 'bpr-mf', model: versions.get('bpr-mf')!.version });
    await expectRankedBy('bpr-mf', userId, history, res.body.items);
    // Anyone with no interaction at all gets no model score: the same feed as a stranger's.
    const a = await request(t.app).get('/v1/users/nobody-1/feed/preview?ranker=bpr-mf&limit=20').set(auth);
    const b = await request(t.app).get('/v1/users/nobody-2/feed/preview?ranker=bpr-mf&limit=20').set(auth);
    expect(a.body.items.map((i: FeedItem) => i.ticker)).toEqual(b.body.items.map((i: FeedItem) => i.ticker));
  });
});
