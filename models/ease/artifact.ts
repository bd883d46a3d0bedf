import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bytes, readFloat32, readIds, readModelFile, writeIds } from '../core/artifact-io.js';
import { EaseHyperparameters, type EaseParameters } from './parameters.js';

/**
 * Files of an EASE artifact: hyperparameters in `ease.json`, the modelled items' ids as JSON lines
 * (slot order), and B as one raw little-endian Float32 file, N × N row-major.
 */
const FILES = { model: 'ease.json', itemIds: 'item-ids.jsonl', weights: 'weights.f32' } as const;
const FORMAT = 1;

interface ModelFile {
  format: typeof FORMAT;
  hyperparameters: EaseHyperparameters;
}

export async function saveEase(p: EaseParameters, dir: string): Promise<void> {
  const model: ModelFile = { format: FORMAT, hyperparameters: p.hp };
  await Promise.all([
    writeFile(path.join(dir, FILES.model), JSON.stringify(model)),
    writeIds(dir, FILES.itemIds, p.itemIds),
    writeFile(path.join(dir, FILES.weights), bytes(p.weights)),
  ]);
}

export async function loadEase(dir: string): Promise<EaseParameters> {
  const model = await readModelFile<ModelFile>(dir, FILES.model, FORMAT, 'EASE');
  const itemIds = await readIds(dir, FILES.itemIds);
  const n = itemIds.length;
  return {
    hp: EaseHyperparameters.parse(model.hyperparameters),
    itemIds,
    weights: await readFloat32(dir, FILES.weights, n * n),
  };
}
