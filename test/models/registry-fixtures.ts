import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  FitOptions,
  PersistentRecommender,
  RecommenderKind,
  TrainSet,
} from '../../models/core/types.js';
import { newVersion, type ModelRegistry } from '../../models/registry/registry.js';

/**
 * A small persistent model for registry and pipeline tests, so they do not depend on the
 * two-tower: it scores an item by how much the user interacted with the item's category and tags
 * (its `category:` and `tag:` content tokens) plus a little popularity; the tags are what category
 * affinity, served or not, cannot see. `quality: 'bad'` ranks by
 * reversed popularity instead (a model worse than anything); `fail: true` throws from fit.
 */
interface State {
  popularity: Record<string, number>;
  /** Per item, its `category:` and `tag:` content tokens. */
  itemTokens: Record<string, string[]>;
  affinity: Record<string, Record<string, number>>;
}

export const FAKE_KIND = 'fake-affinity';

const tokensOf = (tokens: readonly string[] | undefined): string[] =>
  (tokens ?? []).filter((t) => t.startsWith('category:') || t.startsWith('tag:'));

class FakeModel implements PersistentRecommender {
  readonly name = FAKE_KIND;
  readonly kind = FAKE_KIND;
  private state: State = { popularity: {}, itemTokens: {}, affinity: {} };
  private bound?: TrainSet;

  constructor(readonly hyperparameters: Readonly<Record<string, unknown>>) {}

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    if (this.hyperparameters.fail) throw new Error('fake fit exploded');
    const { log } = train;
    const state: State = { popularity: {}, itemTokens: {}, affinity: {} };
    for (let i = 0; i < train.numItems; i++) state.itemTokens[log.itemIds[i]!] = tokensOf(train.content?.[i]);
    for (let r = 0; r < log.user.length; r++) {
      const item = log.itemIds[log.item[r]!]!;
      const user = log.userIds[log.user[r]!]!;
      const w = log.weight[r]!;
      state.popularity[item] = (state.popularity[item] ?? 0) + w;
      const a = (state.affinity[user] ??= {});
      for (const token of state.itemTokens[item] ?? []) a[token] = (a[token] ?? 0) + w;
      if (r % 50 === 0) options.onProgress?.(r / log.user.length, 'counting');
    }
    options.onProgress?.(1, 'done');
    this.state = state;
    this.bound = train;
  }

  bind(train: TrainSet): void {
    for (let i = 0; i < train.numItems; i++) {
      const id = train.log.itemIds[i]!;
      this.state.itemTokens[id] ??= tokensOf(train.content?.[i]);
    }
    this.bound = train;
  }

  scoreUser(user: number, out: Float32Array): void {
    const train = this.bound;
    if (!train) throw new Error('not fitted');
    const affinity = this.state.affinity[train.log.userIds[user] ?? ''] ?? {};
    for (let i = 0; i < out.length; i++) {
      const id = train.log.itemIds[i]!;
      const pop = this.state.popularity[id] ?? 0;
      if (this.hyperparameters.quality === 'bad') {
        out[i] = -pop;
        continue;
      }
      let score = 1e-3 * pop;
      for (const token of this.state.itemTokens[id] ?? []) score += affinity[token] ?? 0;
      out[i] = score;
    }
  }

  async save(dir: string): Promise<void> {
    await writeFile(join(dir, 'state.json'), JSON.stringify(this.state));
    await writeFile(join(dir, 'hp.json'), JSON.stringify(this.hyperparameters));
  }

  static async load(dir: string): Promise<FakeModel> {
    const model = new FakeModel(JSON.parse(await readFile(join(dir, 'hp.json'), 'utf8')));
    model.state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    return model;
  }
}

export const fakeKind: RecommenderKind = {
  kind: FAKE_KIND,
  create: (hyperparameters = {}) => new FakeModel(hyperparameters),
  load: (dir) => FakeModel.load(dir),
};

/** A fitted fake model on a tiny hand-made train set. */
export async function fittedFake(
  hyperparameters: Record<string, unknown> = {},
): Promise<PersistentRecommender> {
  const model = fakeKind.create(hyperparameters);
  await model.fit(tinyTrainSet(), { seed: 1 });
  return model;
}

/** Registers a fitted fake model as a candidate created at `createdAt` (versioned by that time). */
export async function fakeCandidate(
  registry: ModelRegistry,
  createdAt: Date,
  options: { dataWindow: { from: Date; to: Date }; seed: number; hyperparameters?: Record<string, unknown> },
) {
  return registry.createCandidate({
    version: newVersion(FAKE_KIND, createdAt),
    kind: FAKE_KIND,
    model: await fittedFake(options.hyperparameters),
    dataWindow: options.dataWindow,
    seed: options.seed,
    testFraction: 0.1,
    createdAt,
  });
}

export function tinyTrainSet(): TrainSet {
  return {
    log: {
      userIds: ['u1', 'u2'],
      itemIds: ['a', 'b', 'c'],
      user: Int32Array.from([0, 0, 1]),
      item: Int32Array.from([0, 1, 2]),
      ts: Float64Array.from([1, 2, 3]),
      weight: Float32Array.from([1, 1, 1]),
    },
    numUsers: 2,
    numItems: 3,
    cutoffMs: 4,
    content: [['category:x'], ['category:x'], ['category:y']],
  };
}
