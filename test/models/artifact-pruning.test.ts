import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKind, unregisterKind } from '../../models/kinds.js';
import { ModelRegistry } from '../../models/registry/registry.js';
import type { ModelDoc } from '../../src/domain/model-doc.js';
import { DAY_MS, TEST_NOW } from '../helpers/fixed-clock.js';
import { openTestStore } from '../helpers/store.js';
import { FAKE_KIND, fakeCandidate, fakeKind } from './registry-fixtures.js';

beforeAll(() => registerKind(fakeKind));
afterAll(() => unregisterKind(FAKE_KIND));

describe('old model artifacts', () => {
  it('keep the newest MODEL_KEEP_RETIRED retired and rejected versions on disk, and delete the rest after a promotion', async () => {
    const store = await openTestStore();
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-prune-'));
    try {
      const registry = new ModelRegistry({ store, modelsDir: dir, now: () => TEST_NOW, keepRetired: 2 });
      const window = { from: new Date(TEST_NOW.getTime() - 30 * DAY_MS), to: TEST_NOW };
      const versions: string[] = [];
      for (let i = 0; i < 5; i++) {
        const doc = await fakeCandidate(registry, new Date(TEST_NOW.getTime() + i * 60_000), {
          dataWindow: window,
          seed: i,
        });
        versions.push(doc.version);
        await registry.promoteManually(doc.version, `night ${i}`);
      }
      const rejected: string[] = [];
      for (let i = 5; i < 9; i++) {
        const doc = await fakeCandidate(registry, new Date(TEST_NOW.getTime() + i * 60_000), {
          dataWindow: window,
          seed: i,
        });
        rejected.push(doc.version);
        await registry.update(doc.version, { status: 'rejected' });
      }
      const candidate = await fakeCandidate(registry, new Date(TEST_NOW.getTime() + 10 * 60_000), {
        dataWindow: window,
        seed: 10,
      });
      await registry.pruneArtifacts();

      const onDisk = (version: string) => existsSync(registry.artifactDir(version));
      // Active: the last promoted; the two retired before it stay; the two oldest retired go.
      expect(versions.map(onDisk)).toEqual([false, false, true, true, true]);
      expect(rejected.map(onDisk)).toEqual([false, false, true, true]);
      expect(onDisk(candidate.version)).toBe(true);
      // Their documents stay, marked, for history; and a rollback skips them.
      const gone = (await store
        .collection<ModelDoc>('models')
        .find({ artifactRemovedAt: { $exists: true } })
        .toArray()) as ModelDoc[];
      expect(gone.map((d) => d.version).sort()).toEqual(
        [versions[0], versions[1], rejected[0], rejected[1]].sort(),
      );
      expect((await registry.rollback(undefined, { kind: FAKE_KIND })).version).toBe(versions[3]);
      await expect(registry.rollback(versions[1])).rejects.toThrow(/cannot be loaded/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await store.close();
    }
  });
});
