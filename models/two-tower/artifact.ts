import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bytes, idLines, parseIdLines, readFloat32 } from '../core/artifact-io.js';
import { EmbeddingTable } from './embedding-table.js';
import { TwoTowerHyperparameters } from './hyperparameters.js';
import type { TwoTowerParameters } from './parameters.js';

/**
 * Files of a two-tower artifact. Dense layers in tfjs's weights format (`weights.json` manifest +
 * `weights.bin`, loadable with tf.io); embedding tables as raw little-endian Float32 files; the
 * vocabularies as JSON lines of ids and which ids were trained as one byte each. The registry
 * writes its own manifest last, which is what makes a directory a complete artifact.
 */
const FILES = {
  model: 'two-tower.json',
  weightsManifest: 'weights.json',
  weights: 'weights.bin',
  users: 'users.f32',
  items: 'items.f32',
  content: 'content.f32',
  itemInputs: 'item-inputs.f32',
  userIds: 'user-ids.jsonl',
  itemIds: 'item-ids.jsonl',
  userTrained: 'user-trained.u8',
  itemTrained: 'item-trained.u8',
} as const;

const FORMAT = 2;

interface ModelFile {
  format: typeof FORMAT;
  hyperparameters: TwoTowerHyperparameters;
  withContent: boolean;
}

/** Format 1 held the vocabularies in the model file: one JSON.parse of ~15 MB for 1M users. */
interface ModelFileV1 extends Omit<ModelFile, 'format'> {
  format: 1;
  userIds: string[];
  itemIds: string[];
  userTrained: number[];
  itemTrained: number[];
}

export async function saveTwoTower(p: TwoTowerParameters, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const d = p.hp.dim;
  const model: ModelFile = { format: FORMAT, hyperparameters: p.hp, withContent: p.withContent };
  const weightsManifest = [
    {
      paths: [FILES.weights],
      weights: [
        { name: 'user_tower/kernel', shape: [d, 2 * d], dtype: 'float32' },
        { name: 'item_tower/kernel', shape: [d, d], dtype: 'float32' },
      ],
    },
  ];
  await Promise.all([
    writeFile(path.join(dir, FILES.model), JSON.stringify(model)),
    writeFile(path.join(dir, FILES.weightsManifest), JSON.stringify(weightsManifest)),
    writeFile(path.join(dir, FILES.weights), concat(p.wu, p.wm)),
    writeFile(path.join(dir, FILES.users), bytes(p.users.weights)),
    writeFile(path.join(dir, FILES.items), bytes(p.items.weights)),
    writeFile(path.join(dir, FILES.content), bytes(p.content.weights)),
    writeFile(path.join(dir, FILES.itemInputs), bytes(p.itemInputs)),
    writeFile(path.join(dir, FILES.userIds), idLines(p.userIds)),
    writeFile(path.join(dir, FILES.itemIds), idLines(p.itemIds)),
    writeFile(path.join(dir, FILES.userTrained), p.userTrained),
    writeFile(path.join(dir, FILES.itemTrained), p.itemTrained),
  ]);
  return Object.values(FILES);
}

export async function loadTwoTower(dir: string): Promise<TwoTowerParameters> {
  const model = JSON.parse(await readFile(path.join(dir, FILES.model), 'utf8')) as ModelFile | ModelFileV1;
  const vocabulary =
    model.format === FORMAT
      ? await readVocabulary(dir)
      : model.format === 1
        ? {
            userIds: model.userIds,
            itemIds: model.itemIds,
            userTrained: Uint8Array.from(model.userTrained),
            itemTrained: Uint8Array.from(model.itemTrained),
          }
        : undefined;
  if (!vocabulary) throw new Error(`unsupported two-tower artifact format ${String(model.format)}`);
  const hp = TwoTowerHyperparameters.parse(model.hyperparameters);
  const d = hp.dim;
  const read = (file: string, expected: number) => readFloat32(dir, file, expected);
  const dense = await read(FILES.weights, d * 2 * d + d * d);
  const users = vocabulary.userIds.length;
  const items = vocabulary.itemIds.length;
  return {
    hp,
    withContent: model.withContent,
    ...vocabulary,
    users: new EmbeddingTable(users, d, await read(FILES.users, users * d)),
    items: new EmbeddingTable(items, d, await read(FILES.items, items * d)),
    content: new EmbeddingTable(hp.contentBuckets, d, await read(FILES.content, hp.contentBuckets * d)),
    itemInputs: await read(FILES.itemInputs, items * d),
    wu: dense.slice(0, d * 2 * d),
    wm: dense.slice(d * 2 * d),
  };
}

async function readVocabulary(
  dir: string,
): Promise<Pick<TwoTowerParameters, 'userIds' | 'itemIds' | 'userTrained' | 'itemTrained'>> {
  const ids = async (file: string) => parseIdLines(await readFile(path.join(dir, file), 'utf8'));
  const flags = async (file: string, expected: number) => {
    const buf = await readFile(path.join(dir, file));
    if (buf.byteLength !== expected)
      throw new Error(`${file}: ${buf.byteLength} bytes, expected ${expected}`);
    return new Uint8Array(buf);
  };
  const userIds = await ids(FILES.userIds);
  const itemIds = await ids(FILES.itemIds);
  return {
    userIds,
    itemIds,
    userTrained: await flags(FILES.userTrained, userIds.length),
    itemTrained: await flags(FILES.itemTrained, itemIds.length),
  };
}

function concat(...arrays: Float32Array[]): Uint8Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return bytes(out);
}
