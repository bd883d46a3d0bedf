import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getKind, registerKind, unregisterKind } from '../../models/kinds.js';
import { readManifest, writeArtifact } from '../../models/registry/artifacts.js';
import type { ModelChange } from '../../models/registry/notify.js';
import { ModelRegistry, newVersion } from '../../models/registry/registry.js';
import { ActiveModelWatcher } from '../../models/registry/watcher.js';
import { SibylError } from '../../src/errors.js';
import { backends, storePerTest } from '../helpers/backends.js';
import { FAKE_KIND, fakeCandidate, fakeKind, fittedFake, tinyTrainSet } from './registry-fixtures.js';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';
import { trainedModel } from '../helpers/tiny-model.js';

beforeAll(() => registerKind(fakeKind));
afterAll(() => unregisterKind(FAKE_KIND));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sibyl-models-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A training window that ended three weeks before TEST_END; the registry's clock ticks from TEST_NOW. */
const window = {
  from: new Date(TEST_END.getTime() - 82 * DAY_MS),
  to: new Date(TEST_END.getTime() - 21 * DAY_MS),
};
let clockMs = TEST_NOW.getTime();
const now = () => new Date((clockMs += 1000));

function candidate(registry: ModelRegistry, hyperparameters: Record<string, unknown> = {}) {
  return fakeCandidate(registry, now(), { dataWindow: window, seed: 42, hyperparameters });
}

const errorCode = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof SibylError ? err.code : String(err)),
  );

describe('versions and artifacts', () => {
  it('names versions sortably and uniquely', () => {
    // Its own instant, 2026-11-23T01:02:03.456Z: every field of the name distinct, and milliseconds
    // the name drops.
    const at = new Date(TEST_END.getTime() + DAY_MS + HOUR_MS + 2 * 60_000 + 3_456);
    expect(newVersion('two-tower', at)).toMatch(/^tt-20261123T010203Z-[0-9a-f]{6}$/);
    expect(newVersion('two-tower', at)).not.toBe(newVersion('two-tower', at));
    const nextDay = new Date(TEST_END.getTime() + 2 * DAY_MS);
    expect(newVersion('two-tower', nextDay) > newVersion('two-tower', at)).toBe(true);
  });

  it('writes the manifest last, listing the model files, and refuses incomplete artifacts', async () => {
    const artifact = join(dir, 'v1');
    const meta = {
      version: 'v1',
      kind: FAKE_KIND,
      dataWindow: { from: 'a', to: 'b' },
      seed: 1,
      hyperparameters: {},
    };
    const manifest = await writeArtifact(artifact, await fittedFake(), meta);
    expect(manifest.files.map((f) => f.path)).toEqual(['hp.json', 'state.json']);
    expect(JSON.parse(await readFile(join(artifact, 'manifest.json'), 'utf8'))).toMatchObject({
      version: 'v1',
      kind: FAKE_KIND,
    });
    await expect(writeArtifact(artifact, await fittedFake(), meta)).rejects.toThrow(/already exists/);

    await writeFile(join(artifact, 'state.json'), '{}');
    await expect(readManifest(artifact)).rejects.toThrow(/state.json has 2 bytes/);
    await unlink(join(artifact, 'state.json'));
    await expect(readManifest(artifact)).rejects.toThrow(/missing state.json/);
    await unlink(join(artifact, 'manifest.json'));
    await expect(readManifest(artifact)).rejects.toThrow(/manifest.json missing/);
    // A half-written directory (no manifest) is cleared and written again.
    await writeArtifact(artifact, await fittedFake(), meta);
    await expect(readManifest(artifact)).resolves.toMatchObject({ version: 'v1' });
  });
});

for (const backend of backends) {
  describe(`model registry (${backend.name})`, () => {
    const store = storePerTest(backend);
    const changes: ModelChange[] = [];
    const registry = () =>
      new ModelRegistry({
        store: store(),
        modelsDir: dir,
        now,
        notify: async (c) => {
          changes.push(c);
        },
      });
    beforeEach(() => {
      changes.length = 0;
    });

    const statuses = async (r: ModelRegistry) =>
      Object.fromEntries((await r.listModels()).map((d) => [d.version, d.status]));
    const activeCount = async () => await store().collection('models').countDocuments({ status: 'active' });

    it('records candidates with their artifact and loads them back', async () => {
      const r = registry();
      const doc = await candidate(r, { alpha: 1 });
      expect(doc).toMatchObject({
        kind: FAKE_KIND,
        status: 'candidate',
        seed: 42,
        hyperparameters: { alpha: 1 },
        artifactDir: join(dir, doc.version),
      });
      expect((await r.get(doc.version))?.dataWindow.from).toEqual(window.from);
      const model = await r.loadModel(doc.version);
      model.bind(tinyTrainSet());
      const out = new Float32Array(3);
      model.scoreUser(0, out);
      expect(out[0]).toBeGreaterThan(out[2]!);
      expect(await errorCode(r.loadModel('nope'))).toBe('not_found');
    });

    it('promotes, keeps exactly one active, and rolls back to the previous one', async () => {
      const r = registry();
      const a = await candidate(r);
      const b = await candidate(r);
      const c = await candidate(r);
      expect(await r.activeModel(FAKE_KIND)).toBeUndefined();

      await r.promote(a.version, { reason: 'first' });
      expect((await r.activeModel(FAKE_KIND))?.version).toBe(a.version);
      await r.promote(b.version, { reason: 'second' });
      expect(await statuses(r)).toMatchObject({ [a.version]: 'retired', [b.version]: 'active' });
      await r.promote(c.version, { reason: 'third' });
      expect(await activeCount()).toBe(1);
      expect((await r.activeModel(FAKE_KIND))?.version).toBe(c.version);

      const back = await r.rollback(undefined, { kind: FAKE_KIND });
      expect(back).toMatchObject({
        version: b.version,
        status: 'active',
        promotionReason: `rollback from ${c.version}`,
      });
      expect(await statuses(r)).toEqual({
        [a.version]: 'retired',
        [b.version]: 'active',
        [c.version]: 'retired',
      });
      // Rolling back again undoes the rollback; an explicit version goes further back.
      expect((await r.rollback(undefined, { kind: FAKE_KIND })).version).toBe(c.version);
      expect((await r.rollback(a.version)).version).toBe(a.version);
      expect(await activeCount()).toBe(1);
      expect(changes).toEqual([
        { version: a.version, action: 'promote' },
        { version: b.version, action: 'promote' },
        { version: c.version, action: 'promote' },
        { version: b.version, action: 'rollback' },
        { version: c.version, action: 'rollback' },
        { version: a.version, action: 'rollback' },
      ]);
      // Promoting the active model again changes nothing.
      await r.promote(a.version, { reason: 'again' });
      expect(changes).toHaveLength(6);
    });

    it('keeps one active model under concurrent promotions and rollbacks', async () => {
      const r = registry();
      const docs = [];
      for (let i = 0; i < 6; i++) docs.push(await candidate(r));
      await r.promote(docs[0]!.version, { reason: 'seed' });
      await r.promote(docs[1]!.version, { reason: 'seed' });
      // Several registries (as several processes would), all at once.
      const racers = docs.slice(2).map((d) => registry().promote(d.version, { reason: 'race' }));
      racers.push(
        registry()
          .rollback(undefined, { kind: FAKE_KIND })
          .catch((e: unknown) => e as never),
      );
      await Promise.allSettled(racers);
      expect(await activeCount()).toBe(1);
      const active = await r.activeModel(FAKE_KIND);
      const all = await r.listModels();
      const maxSeq = Math.max(...all.map((d) => d.promotionSeq ?? 0));
      expect(active?.promotionSeq).toBe(maxSeq);
    });

    it('refuses to promote failed, unknown and unloadable models, and to roll back to nothing', async () => {
      const r = registry();
      expect(await errorCode(r.rollback(undefined, { kind: FAKE_KIND }))).toBe('conflict');
      expect(await errorCode(r.promote('nope', { reason: 'x' }))).toBe('not_found');
      const failed = await r.recordFailure({
        version: newVersion(FAKE_KIND, now()),
        kind: FAKE_KIND,
        dataWindow: window,
        seed: 1,
        hyperparameters: {},
        testFraction: 0.1,
        createdAt: now(),
        error: 'boom',
      });
      expect(failed).toMatchObject({ status: 'failed', error: 'boom' });
      expect(await errorCode(r.promote(failed.version, { reason: 'x' }))).toBe('conflict');

      const broken = await candidate(r);
      await unlink(join(broken.artifactDir, 'manifest.json'));
      await expect(r.promote(broken.version, { reason: 'x' })).rejects.toThrow(/cannot be loaded/);

      const good = await candidate(r);
      expect(await errorCode(r.rollback(good.version))).toBe('conflict'); // never active
      await r.promote(good.version, { reason: 'x', ifActive: null });
      const next = await candidate(r);
      expect(await errorCode(r.promote(next.version, { reason: 'x', ifActive: null }))).toBe('conflict');
      expect(await errorCode(r.promote(next.version, { reason: 'x', from: ['retired'] }))).toBe('conflict');
      expect((await r.activeModel(FAKE_KIND))?.version).toBe(good.version);
    });

    it('rolls back past a retired model whose artifact is gone', async () => {
      const r = registry();
      const [a, b, c] = [await candidate(r), await candidate(r), await candidate(r)];
      for (const d of [a, b, c]) await r.promote(d.version, { reason: 'x' });
      await rm(b.artifactDir, { recursive: true });
      expect((await r.rollback(undefined, { kind: FAKE_KIND })).version).toBe(a.version);
    });

    it('keeps one active model per kind: promoting or rolling back one kind leaves the others serving', async () => {
      const r = registry();
      const of = async (kind: string) => {
        const model = kind === 'two-tower' ? await trainedModel(['a', 'b', 'c'], 1) : getKind(kind).create();
        if (kind !== 'two-tower') await model.fit(tinyTrainSet(), { seed: 1 });
        const createdAt = now();
        return r.createCandidate({
          version: newVersion(kind, createdAt),
          kind,
          model,
          dataWindow: window,
          seed: 1,
          testFraction: 0.1,
          createdAt,
        });
      };
      const tt = await of('two-tower');
      const [e1, e2, b1] = [await of('ease'), await of('ease'), await of('bpr-mf')];
      await r.promote(tt.version, { reason: 'x' });
      await r.promote(e1.version, { reason: 'x' });
      await r.promote(e2.version, { reason: 'x' });
      const active = async () => (await r.activeModels()).map((d) => `${d.kind}:${d.version}`);
      expect(await active()).toEqual([`ease:${e2.version}`, `two-tower:${tt.version}`]);
      expect(await statuses(r)).toMatchObject({ [e1.version]: 'retired', [tt.version]: 'active' });

      // A document from before kinds were recorded is a two-tower model.
      await store()
        .collection('models')
        .updateOne({ version: tt.version }, { $unset: { kind: '' } });
      expect((await r.activeModel('two-tower'))?.version).toBe(tt.version);
      expect((await r.get(tt.version))?.kind).toBe('two-tower');
      await r.promote(b1.version, { reason: 'x' });
      expect(await active()).toEqual([
        `bpr-mf:${b1.version}`,
        `ease:${e2.version}`,
        `two-tower:${tt.version}`,
      ]);

      // Rollback is per kind: EASE goes back to e1, the others keep serving.
      const back = await r.rollback(undefined, { kind: 'ease' });
      expect(back).toMatchObject({
        version: e1.version,
        status: 'active',
        promotionReason: `rollback from ${e2.version}`,
      });
      expect(await active()).toEqual([
        `bpr-mf:${b1.version}`,
        `ease:${e1.version}`,
        `two-tower:${tt.version}`,
      ]);
      // The two-tower has nothing to go back to (the default kind), and a version of another kind
      // is not a rollback of the kind asked for.
      expect(await errorCode(r.rollback())).toBe('conflict');
      expect(await errorCode(r.rollback(e2.version, { kind: 'two-tower' }))).toBe('conflict');
      expect(await activeCount()).toBe(3);
      expect(changes.map((c) => c.action)).toEqual(['promote', 'promote', 'promote', 'promote', 'rollback']);
    });

    it('watcher emits the active model at start and on every change (polling)', async () => {
      const r = registry();
      const a = await candidate(r);
      await r.promote(a.version, { reason: 'x' });
      const watcher = new ActiveModelWatcher({ registry: r, pollSeconds: 3600 });
      const seen: (string | undefined)[] = [];
      watcher.on('change', (doc) => seen.push(doc?.version));
      await watcher.start();
      expect(seen).toEqual([a.version]);
      const b = await candidate(r);
      await r.promote(b.version, { reason: 'x' });
      await watcher.check();
      await watcher.check();
      expect(seen).toEqual([a.version, b.version]);
      expect(watcher.current[0]?.version).toBe(b.version);
      // Another kind's promotion is a change of that kind only.
      const ease = getKind('ease').create();
      await ease.fit(tinyTrainSet(), { seed: 1 });
      const createdAt = now();
      const e = await r.createCandidate({
        version: newVersion('ease', createdAt),
        kind: 'ease',
        model: ease,
        dataWindow: window,
        seed: 1,
        testFraction: 0.1,
        createdAt,
      });
      const kinds: string[] = [];
      watcher.on('change', (_doc, _previous, kind) => kinds.push(kind));
      await r.promote(e.version, { reason: 'x' });
      await watcher.check();
      expect(seen).toEqual([a.version, b.version, e.version]);
      expect(kinds).toEqual(['ease']);
      expect(watcher.current.map((d) => d.version).sort()).toEqual([b.version, e.version].sort());
      await watcher.stop();
    });
  });
}
