import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../jobs/job-types.js';
import { ModelPipeline } from '../../jobs/model-pipeline/index.js';
import { createProcessors } from '../../jobs/processors.js';
import { InProcessJobRunner } from '../../jobs/runners/in-process-runner.js';
import { PopularityRecommender } from '../../models/baselines/popularity.js';
import { registerKind, unregisterKind } from '../../models/kinds.js';
import { ModelRegistry } from '../../models/registry/registry.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureIndexes } from '../../src/store/collections.js';
import { auth, makeTestApi } from '../helpers/api.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';
import { seedInteractions } from './fixture.js';
import { fakeKind } from '../models/registry-fixtures.js';

/** A kind whose fit always throws the same way, counting how often it was asked to fit. */
const FAILING = 'always-diverges';
let fits = 0;
beforeAll(() =>
  registerKind({
    kind: FAILING,
    create: () => {
      const model = fakeKind.create({ fail: true });
      const fit = model.fit.bind(model);
      model.fit = (...args) => {
        fits++;
        return fit(...args);
      };
      return model;
    },
    load: fakeKind.load,
  }),
);
afterAll(() => unregisterKind(FAILING));

async function settled(runner: InProcessJobRunner, id: string): Promise<JobStatus> {
  for (;;) {
    const status = await runner.status(id);
    if (status?.state === 'completed' || status?.state === 'failed') return status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('deterministic job failures', () => {
  it('a nightly chain whose training fails deterministically fails once, without retraining on retries', async () => {
    const store = await openTestStore({ indexes: false });
    await ensureIndexes(store);
    await seedInteractions(store);
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-failing-'));
    try {
      const registry = new ModelRegistry({ store, modelsDir: dir, now: () => TEST_NOW });
      const pipeline = new ModelPipeline({
        store,
        registry,
        logger: silentLogger,
        now: () => TEST_NOW,
        settings: { kind: FAILING, windowDays: 30 },
        baselines: () => [new PopularityRecommender({ halfLifeMs: Infinity })],
      });
      const runner = new InProcessJobRunner(
        createProcessors({ store, logger: silentLogger, now: () => TEST_NOW, models: pipeline }),
        silentLogger,
        1,
      );
      fits = 0;
      const nightly = await settled(runner, (await runner.trigger('nightly', { chainId: 'n1' })).id);
      expect(nightly).toMatchObject({ state: 'failed', attemptsMade: 1 });
      expect(nightly.error).toMatch(/fake fit exploded/);
      expect(fits).toBe(1);
      // The steps before training ran once; training failed once; nothing after it ran.
      const runs = await store.collection('job_runs').find({ chainId: 'n1' }).toArray();
      expect(runs.map((r) => [r.name, r.status]).sort()).toEqual([
        ['rebuild-features', 'completed'],
        ['sync-markets', 'completed'],
        ['train', 'failed'],
      ]);
      await runner.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await store.close();
    }
  });

  it('the API validates a job payload before queueing it, naming the field', async () => {
    const t = await makeTestApi();
    const huge = await request(t.app)
      .post('/v1/jobs/train')
      .set(auth)
      .send('{"windowDays":1e300}')
      .type('json');
    expect(huge.status).toBe(422);
    expect(huge.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.windowDays', message: expect.stringMatching(/3650/) }),
    ]);
    const kind = await request(t.app).post('/v1/jobs/train').set(auth).send({ kind: 'no-such-kind' });
    expect(kind.status).toBe(422);
    expect(kind.body.error.details[0]).toMatchObject({ path: 'body.kind' });
    expect(kind.body.error.details[0].message).toMatch(/two-tower/);
    const hyper = await request(t.app)
      .post('/v1/jobs/train')
      .set(auth)
      .send({ kind: 'two-tower', hyperparameters: { dim: -3 } });
    expect(hyper.status).toBe(422);
    expect(hyper.body.error.details[0]).toMatchObject({ path: 'body.hyperparameters' });
    const seed = await request(t.app)
      .post('/v1/jobs/train')
      .set(auth)
      .send({ seed: 2 ** 60 });
    expect(seed.status).toBe(422);
    expect(seed.body.error.details[0]).toMatchObject({ path: 'body.seed' });
    // Nothing was queued by any of them.
    expect(await t.store.collection('job_runs').countDocuments()).toBe(0);
  });
});
