import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bytes, readFloat32, readIds, readModelFile, writeIds } from '../core/artifact-io.js';
import { BprHyperparameters, type BprParameters } from './parameters.js';

/**
 * Files of a BPR-MF artifact: hyperparameters in `bpr-mf.json`, the trained users' and items' ids
 * as JSON lines, their factors and the items' biases as raw little-endian Float32 files.
 */
const FILES = {
  model: 'bpr-mf.json',
  userIds: 'user-ids.jsonl',
  itemIds: 'item-ids.jsonl',
  users: 'users.f32',
  items: 'items.f32',
  biases: 'biases.f32',
} as const;
const FORMAT = 1;

interface ModelFile {
  format: typeof FORMAT;
  hyperparameters: BprHyperparameters;
}

export async function saveBpr(p: BprParameters, dir: string): Promise<void> {
  const model: ModelFile = { format: FORMAT, hyperparameters: p.hp };
  await Promise.all([
    writeFile(path.join(dir, FILES.model), JSON.stringify(model)),
    writeIds(dir, FILES.userIds, p.userIds),
    writeIds(dir, FILES.itemIds, p.itemIds),
    writeFile(path.join(dir, FILES.users), bytes(p.p)),
    writeFile(path.join(dir, FILES.items), bytes(p.q)),
    writeFile(path.join(dir, FILES.biases), bytes(p.b)),
  ]);
}

export async function loadBpr(dir: string): Promise<BprParameters> {
  const model = await readModelFile<ModelFile>(dir, FILES.model, FORMAT, 'BPR-MF');
  const hp = BprHyperparameters.parse(model.hyperparameters);
  const userIds = await readIds(dir, FILES.userIds);
  const itemIds = await readIds(dir, FILES.itemIds);
  return {
    hp,
    userIds,
    itemIds,
    p: await readFloat32(dir, FILES.users, userIds.length * hp.dim),
    q: await readFloat32(dir, FILES.items, itemIds.length * hp.dim),
    b: await readFloat32(dir, FILES.biases, itemIds.length),
  };
}
