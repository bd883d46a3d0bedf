import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOBS, NIGHTLY_CHAIN, type JobContext, type JobName } from '../../jobs/job-types.js';
import { ModelPipeline, type ModelPipelineDeps } from '../../jobs/model-pipeline/index.js';
import { createProcessors } from '../../jobs/processors.js';
import { PopularityRecommender } from '../../models/baselines/popularity.js';
import { registerKind, unregisterKind } from '../../models/kinds.js';
import type { ModelChange } from '../../models/registry/notify.js';
import { ModelRegistry } from '../../models/registry/registry.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { backends, storePerTest } from '../helpers/backends.js';
import { FAKE_KIND, fakeKind } from '../models/registry-fixtures.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;
const DAY = 86_400_000;

beforeAll(() => registerKind(fakeKind));
afterAll(() => unregisterKind(FAKE_KIND));

/**
 * 20 markets in two categories × two tiers (a `tier-0` or `tier-1` tag), and 120 users who each
 * stick to one category and one tier (u % 2, (u >> 1) % 2), with a popularity skew inside their cell:
 * a model that sees tags beats global popularity and the served rankers (category affinity
 * recommends the user's whole category, half of it the wrong tier) on the latest interactions, by a
 * paired interval clear of zero (about 100 evaluated users: with 30 it still straddled zero).
 */
async function seed(store: Store): Promise<void> {
  const categories = ['Crypto', 'Sports'];
  await store.collection('markets').insertMany(
    Array.from({ length: 20 }, (_, i) => ({
      ticker: `M-${i}`,
      eventTicker: `E-${i}`,
      title: `Market number ${i}`,
      category: categories[i % 2],
      tags: [`tier-${(i >> 1) % 2}`],
      status: 'open',
      openTime: new Date(NOW.getTime() - 40 * DAY),
      closeTime: new Date(NOW.getTime() + 10 * DAY),
    })),
  );
  const rows = [];
  let state = 7;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let u = 0; u < 120; u++) {
    for (let k = 0; k < 10; k++) {
      // Skewed towards low ranks within the user's category and tier.
      const rank = Math.floor(5 * rand() ** 2);
      const item = 4 * rank + 2 * ((u >> 1) % 2) + (u % 2);
      rows.push({
        eventId: `e-${u}-${k}`,
        userId: `u${u}`,
        ticker: `M-${item}`,
        type: k % 3 === 0 ? 'trade' : 'click',
        ts: new Date(NOW.getTime() - (20 - 2 * k) * DAY + u * 60_000),
        receivedAt: NOW,
      });
    }
  }
  await store.collection('interactions').insertMany(rows);
}

function ctx(name: JobName, data: unknown = {}, id = `job-${name}-${Math.random()}`): JobContext {
  return { id, name, data, attempt: 1, progress: async () => {} };
}

describe('model jobs wiring', () => {
  it('train, evaluate and promote run on the models queue, after rebuild-features in the nightly chain', () => {
    for (const name of ['train', 'evaluate', 'promote'] as const) {
      expect(JOBS[name]).toMatchObject({ queue: 'models', attempts: 2 });
    }
    expect(NIGHTLY_CHAIN).toEqual([
      'sync-markets',
      'rebuild-features',
      'train',
      'evaluate',
      'promote',
      'daily-report',
    ]);
  });
});

for (const backend of backends) {
  describe(`model pipeline (${backend.name})`, () => {
    const store = storePerTest(backend);
    let dir: string;
    const changes: ModelChange[] = [];
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sibyl-pipeline-'));
      changes.length = 0;
      await seed(store());
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** A pipeline over the test store with these settings, and the job processors that run it. */
    const pipelineOf = (registry: ModelRegistry, settings: ModelPipelineDeps['settings']) => {
      const pipeline = new ModelPipeline({
        store: store(),
        registry,
        logger: silentLogger,
        now: () => NOW,
        settings,
        baselines: () => [new PopularityRecommender({ halfLifeMs: Infinity })],
      });
      const processors = createProcessors({
        store: store(),
        logger: silentLogger,
        now: () => NOW,
        models: pipeline,
      });
      return { pipeline, processors };
    };

    const setup = () => {
      const registry = new ModelRegistry({
        store: store(),
        modelsDir: dir,
        now: () => NOW,
        notify: async (c) => {
          changes.push(c);
        },
      });
      const { pipeline, processors } = pipelineOf(registry, {
        kind: FAKE_KIND,
        kinds: [FAKE_KIND],
        windowDays: 30,
        testFraction: 0.2,
      });
      return { registry, pipeline, processors };
    };

    it('nightly: train → evaluate → promote makes a good candidate active; a worse one is rejected', async () => {
      const { registry, processors } = setup();
      const nightly = (await processors.nightly(ctx('nightly', { chainId: 'night-1' }))) as {
        steps: Record<string, unknown>;
      };
      expect(nightly.steps.promote).toMatchObject({ decision: 'promote', status: 'active' });
      const first = (await registry.activeModel(FAKE_KIND))!;
      expect(first).toMatchObject({
        kind: FAKE_KIND,
        status: 'active',
        chainId: 'night-1',
        seed: 42,
        testFraction: 0.2,
        // The best baseline here is the served category-affinity ranker.
        gate: { decision: 'promote', metric: 'ndcg@10', baseline: 'served:category-affinity' },
        dataWindow: { from: new Date(NOW.getTime() - 30 * DAY), to: NOW },
      });
      expect(first.comparedWith).toBeUndefined();
      // Served rankers are evaluated beside the models; the fake kind has no served form, so the
      // gate judges the bare candidate, paired over the evaluated users.
      expect(Object.keys(first.metrics!)).toEqual(
        expect.arrayContaining(['candidate', 'popularity', 'served:popularity', 'served:trending']),
      );
      expect(first.comparisons).toMatchObject({ metric: 'ndcg@10', subject: 'candidate' });
      expect(first.comparisons!.users).toBeGreaterThan(50);
      expect(first.comparisons!.baseline).toMatchObject({ line: 'served:category-affinity' });
      expect(first.comparisons!.baseline!.low).toBeGreaterThan(0);
      expect(first.gate!.intervals!.baseline).toEqual(
        expect.objectContaining({ low: first.comparisons!.baseline!.low }),
      );
      expect(first.gate!.reason).toMatch(
        new RegExp(
          `over ${first.comparisons!.users} users: no active model; beats best baseline served:category-affinity`,
        ),
      );
      expect(first.metrics?.candidate?.['ndcg@10']).toBeGreaterThan(first.metrics!.popularity!['ndcg@10']!);
      expect(first.split).toMatchObject({ kind: 'temporal', testFraction: 0.2 });
      expect(changes).toEqual([{ version: first.version, action: 'promote' }]);
      expect((await registry.manifest(first.version)).metrics?.candidate).toEqual(first.metrics?.candidate);
      const runs = await store().collection('job_runs').find({ chainId: 'night-1' }).toArray();
      expect(runs.map((r) => [r.name, r.status]).sort()).toEqual(
        NIGHTLY_CHAIN.map((n) => [n, 'completed']).sort(),
      );

      // A second, worse candidate through the single jobs, as triggered over the API.
      const train = (await processors.train(
        ctx('train', { chainId: 'manual', hyperparameters: { quality: 'bad' }, seed: 7 }),
      )) as { version: string };
      const evaluated = (await processors.evaluate(ctx('evaluate', { chainId: 'manual' }))) as {
        metrics: Record<string, Record<string, number>>;
        comparedWith: { version: string };
      };
      expect(evaluated.comparedWith).toEqual({ version: first.version });
      expect(evaluated.metrics.active?.['ndcg@10']).toBeCloseTo(first.metrics!.candidate!['ndcg@10']!, 6);
      const decision = await processors.promote(ctx('promote', { version: train.version }));
      expect(decision).toMatchObject({ decision: 'reject', status: 'rejected' });
      const rejected = (await registry.get(train.version))!;
      expect(rejected).toMatchObject({ status: 'rejected', seed: 7, hyperparameters: { quality: 'bad' } });
      expect(rejected.gate?.reason).toMatch(new RegExp(`does not beat active ${first.version}`));
      expect((await registry.activeModel(FAKE_KIND))?.version).toBe(first.version);
      expect(changes).toHaveLength(1);
      // Promote again: the decision stands.
      expect(await processors.promote(ctx('promote', { version: train.version }))).toMatchObject({
        decision: 'reject',
        reused: true,
      });
    });

    it('a two-tower candidate is judged as served: its ranker, with the blend learned at training', async () => {
      const { registry, pipeline } = setup();
      const hyperparameters = { dim: 16, epochs: 2, batchSize: 128 };
      await pipeline.train({ chainId: 'tt', kind: 'two-tower', hyperparameters });
      const evaluated = await pipeline.evaluate({ chainId: 'tt' });
      const doc = (await registry.get(evaluated.version))!;
      const blend = doc.blends?.['two-tower'];
      // The simulated days keep enough weight at the configured half-life, so it is the one used.
      expect(doc.fit).toMatchObject({
        halfLifeDays: 14,
        negativeWindowBatches: 4,
        backend: expect.any(String),
      });
      expect(blend?.validation.to).toBe(doc.split?.cutoff);
      expect(blend?.validation.users).toBeGreaterThanOrEqual(30);
      expect(Object.keys(blend!.weights)).toContain('popularity');
      // The feed's pipeline with the candidate is a line of its own, and the one the gate judges.
      expect(doc.metrics?.['served:two-tower']?.['ndcg@10']).toBeGreaterThan(0);
      expect(doc.comparisons).toMatchObject({ subject: 'served:two-tower', metric: 'ndcg@10' });
      expect(doc.comparisons?.baseline?.line).toBeDefined();
      const decision = await pipeline.promote({ chainId: 'tt' });
      expect(decision.gate?.values.candidate).toBe(doc.metrics!['served:two-tower']!['ndcg@10']);
      expect(decision.gate?.baseline).toBe(doc.comparisons!.baseline!.line);
      expect(decision.gate?.intervals?.baseline).toBeDefined();
    });

    it('a failed fit is recorded as failed and leaves the active model serving', async () => {
      const { registry, pipeline, processors } = setup();
      await pipeline.train({ chainId: 'good' });
      await pipeline.evaluate({ chainId: 'good' });
      const active = await pipeline.promote({ chainId: 'good' });
      expect(active.status).toBe('active');

      await expect(
        processors.train(ctx('train', { chainId: 'bad', hyperparameters: { fail: true } })),
      ).rejects.toThrow(/fake fit exploded/);
      const failed = await store().collection('models').findOne({ chainId: 'bad' });
      expect(failed).toMatchObject({ status: 'failed', error: 'fake fit exploded', kind: FAKE_KIND });
      expect((await registry.activeModel(FAKE_KIND))?.version).toBe(active.version);
      const run = await store().collection('job_runs').findOne({ name: 'train', status: 'failed' });
      expect(run?.error).toMatch(/fake fit exploded/);
      // The chain's promote step, if it ever got there, rejects it and keeps it failed.
      const decision = await pipeline.promote({ chainId: 'bad' });
      expect(decision).toMatchObject({ decision: 'reject', status: 'failed' });
      expect(decision.reason).toMatch(/candidate failed: fake fit exploded/);
      expect((await registry.activeModel(FAKE_KIND))?.version).toBe(active.version);
      expect(changes).toHaveLength(1);
    });

    it('a retried train of the same chain reuses its candidate; bad payloads and kinds fail for good', async () => {
      const { processors } = setup();
      const first = (await processors.train(ctx('train', { chainId: 'c' }))) as {
        version: string;
        reused: boolean;
      };
      const again = (await processors.train(ctx('train', { chainId: 'c' }))) as {
        version: string;
        reused: boolean;
      };
      expect(first.reused).toBe(false);
      expect(again).toMatchObject({ version: first.version, reused: true });
      expect(await store().collection('models').countDocuments({ chainId: 'c' })).toBe(1);

      await expect(processors.train(ctx('train', { seed: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(processors.promote(ctx('promote', { bogus: 1 }))).rejects.toBeInstanceOf(
        UnrecoverableError,
      );
      await expect(processors.train(ctx('train', { kind: 'nope' }))).rejects.toBeInstanceOf(
        UnrecoverableError,
      );
      await expect(processors.evaluate(ctx('evaluate', { version: 'missing' }))).rejects.toBeInstanceOf(
        UnrecoverableError,
      );
    });

    /** The nightly chain of production: every served kind, the two-tower first (small, quick fits). */
    const servedSetup = (hyperparameters: Record<string, Record<string, unknown>> = {}) => {
      const registry = new ModelRegistry({ store: store(), modelsDir: dir, now: () => NOW });
      const { pipeline, processors } = pipelineOf(registry, {
        windowDays: 30,
        testFraction: 0.2,
        hyperparameters: {
          'two-tower': { dim: 16, epochs: 2, batchSize: 128 },
          'bpr-mf': { dim: 8, epochs: 30 },
          ...hyperparameters,
        },
      });
      return { registry, pipeline, processors };
    };

    it('nightly trains and gates every served kind: the two-tower by its lead, EASE and BPR-MF first promoted once they evaluate', async () => {
      const { registry, processors } = servedSetup();
      const nightly = (await processors.nightly(ctx('nightly', { chainId: 'night-k' }))) as {
        steps: Record<string, { kind?: string; decision?: string; gate?: { rule?: string } }>;
      };
      expect(Object.keys(nightly.steps)).toEqual([
        'sync-markets',
        'rebuild-features',
        'train',
        'evaluate',
        'promote',
        'train:ease',
        'evaluate:ease',
        'promote:ease',
        'train:bpr-mf',
        'evaluate:bpr-mf',
        'promote:bpr-mf',
        'daily-report',
      ]);
      expect(nightly.steps.train).toMatchObject({ kind: 'two-tower' });
      expect(nightly.steps.promote!.gate?.rule).toBe('lead');
      for (const kind of ['ease', 'bpr-mf']) {
        expect(nightly.steps[`train:${kind}`]).toMatchObject({ kind });
        const active = (await registry.activeModel(kind))!;
        expect(active).toMatchObject({ chainId: `night-k:${kind}`, status: 'active' });
        expect(active.gate).toMatchObject({ rule: 'not-worse', decision: 'promote' });
        expect(active.gate!.reason).toMatch(/the first model of its kind/);
        // Judged as served: its own ranker with the candidate; no baselines needed.
        expect(active.comparisons).toMatchObject({ subject: `served:${kind}` });
        expect(Object.keys(active.metrics!).sort()).toEqual(['candidate', `served:${kind}`]);
        // Its blend is learned like the two-tower's.
        expect(active.blends?.[kind]?.validation.users).toBeGreaterThanOrEqual(30);
        const runs = await store()
          .collection('job_runs')
          .find({ chainId: `night-k:${kind}` })
          .toArray();
        expect(runs.map((r) => [r.name, r.status]).sort()).toEqual([
          ['evaluate', 'completed'],
          ['promote', 'completed'],
          ['train', 'completed'],
        ]);
      }
    }, 60_000);

    it('BPR-MF: a candidate not worse than the active one replaces it, a failed one never does, the two-tower untouched', async () => {
      const { registry, pipeline } = servedSetup();
      const run = async (chainId: string, hyperparameters?: Record<string, unknown>) => {
        await pipeline.train({ chainId, kind: 'bpr-mf', ...(hyperparameters ? { hyperparameters } : {}) });
        await pipeline.evaluate({ chainId });
        return pipeline.promote({ chainId });
      };
      const tt = await pipeline.train({ chainId: 'tt', kind: 'two-tower' });
      await registry.promoteManually(tt.version, 'test');
      const first = await run('b1');
      expect(first).toMatchObject({ status: 'active', decision: 'promote' });

      // The same fit again (the next night's, on unchanged data): not worse, so it replaces the
      // active one (where the two-tower's rule would keep the older model: it does not lead).
      const same = await run('b2');
      expect(same).toMatchObject({ status: 'active', decision: 'promote' });
      expect(same.gate).toMatchObject({ rule: 'not-worse', activeVersion: first.version });
      expect(same.gate!.intervals!.active).toMatchObject({ low: 0, high: 0 });
      expect(same.reason).toMatch(new RegExp(`is not worse than active ${first.version}`));
      expect((await registry.get(first.version))?.status).toBe('retired');
      expect((await registry.activeModel('two-tower'))?.version).toBe(tt.version);

      // A failed training never replaces it.
      await expect(
        pipeline.train({ chainId: 'b3', kind: 'bpr-mf', hyperparameters: { epochs: -1 } }),
      ).rejects.toThrow(/bad hyperparameters for bpr-mf/);
      expect(await pipeline.promote({ chainId: 'b3' })).toMatchObject({
        decision: 'reject',
        status: 'failed',
      });
      expect((await registry.activeModel('bpr-mf'))?.version).toBe(same.version);
    }, 60_000);

    it('nightly: another kind’s failure is its own, and the chain goes on to the report', async () => {
      const registry = new ModelRegistry({ store: store(), modelsDir: dir, now: () => NOW });
      const { processors: chain } = pipelineOf(registry, {
        kind: FAKE_KIND,
        kinds: [FAKE_KIND, 'ease'],
        windowDays: 30,
        testFraction: 0.2,
        hyperparameters: { ease: { lambda: -1 } },
      });
      const nightly = (await chain.nightly(ctx('nightly', { chainId: 'night-f' }))) as {
        steps: Record<string, { error?: string; skipped?: string }>;
      };
      expect(nightly.steps['train:ease']!.error).toMatch(/bad hyperparameters for ease/);
      expect(nightly.steps['evaluate:ease']!.skipped).toMatch(/an earlier ease step failed/);
      expect(nightly.steps['daily-report']).toBeDefined();
      expect((await registry.activeModel(FAKE_KIND))?.chainId).toBe('night-f');
      expect(await registry.activeModel('ease')).toBeUndefined();
      expect(await store().collection('models').findOne({ chainId: 'night-f:ease' })).toMatchObject({
        status: 'failed',
      });
    });

    it('re-evaluates against the new active model when it changed since the evaluation', async () => {
      const { registry, pipeline } = setup();
      const a = await pipeline.train({ chainId: 'a', hyperparameters: { quality: 'bad' } });
      const b = await pipeline.train({ chainId: 'b' });
      await pipeline.evaluate({ version: b.version });
      expect((await registry.get(b.version))?.comparedWith).toBeUndefined();
      // Someone promotes a by hand meanwhile.
      await registry.promoteManually(a.version, 'test');
      const decision = await pipeline.promote({ version: b.version });
      expect(decision).toMatchObject({ decision: 'promote', status: 'active' });
      const doc = (await registry.get(b.version))!;
      expect(doc.comparedWith).toEqual({ version: a.version });
      expect(doc.gate?.values.active).toBeDefined();
      expect((await registry.get(a.version))?.status).toBe('retired');

      // An operator promoting a candidate before the gate runs decides for it.
      const c = await pipeline.train({ chainId: 'c', hyperparameters: { quality: 'bad' } });
      await pipeline.evaluate({ chainId: 'c' });
      await registry.promoteManually(c.version, 'trust me');
      expect(await pipeline.promote({ chainId: 'c' })).toMatchObject({
        decision: 'promote',
        status: 'active',
        reused: true,
        reason: 'active outside the gate (manual: trust me)',
      });
    });
  });
}
