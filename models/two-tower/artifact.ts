import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddingTable } from './embedding-table.js';
import { TwoTowerHyperparameters } from './hyperparameters.js';
import type { TwoTowerParameters } from './model.js';

/**
 * Files of a two-tower artifact. Dense layers in tfjs's weights format (`weights.json` manifest +
 * `weights.bin`, loadable with tf.io); embedding tables as raw little-endian Float32 files; the
 * vocabularies as JSON. The registry writes its own manifest last, which is what makes a directory
 * a complete artifact.
 */
const FILES = {
  model: 'two-tower.json',
  weightsManifest: 'weights.json',
  weights: 'weights.bin',
  users: 'users.f32',
  items: 'items.f32',
  content: 'content.f32',
  itemInputs: 'item-inputs.f32',
} as const;

interface ModelFile {
  format: 1;
  hyperparameters: TwoTowerHyperparameters;
  withContent: boolean;
  userIds: string[];
  itemIds: string[];
  userTrained: number[];
  itemTrained: number[];
}

export async function saveTwoTower(p: TwoTowerParameters, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const d = p.hp.dim;
  const model: ModelFile = {
    format: 1,
    hyperparameters: p.hp,
    withContent: p.withContent,
    userIds: p.userIds,
    itemIds: p.itemIds,
    userTrained: Array.from(p.userTrained),
    itemTrained: Array.from(p.itemTrained),
  };
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
  ]);
  return Object.values(FILES);
}

export async function loadTwoTower(dir: string): Promise<TwoTowerParameters> {
  const model = JSON.parse(await readFile(path.join(dir, FILES.model), 'utf8')) as ModelFile;
  if (model.format !== 1) throw new Error(`unsupported two-tower artifact format ${model.format}`);
  const hp = TwoTowerHyperparameters.parse(model.hyperparameters);
  const d = hp.dim;
  const read = async (file: string, expected: number) => {
    const buf = await readFile(path.join(dir, file));
    if (buf.byteLength !== expected * 4)
      throw new Error(`${file}: ${buf.byteLength} bytes, expected ${expected * 4}`);
    // A view when the bytes are aligned (large files get a buffer of their own): a 1M-user table
    // is 256 MB, and copying it held a model swap up and doubled its memory for a moment.
    return buf.byteOffset % 4 === 0
      ? new Float32Array(buf.buffer, buf.byteOffset, expected)
      : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  const dense = await read(FILES.weights, d * 2 * d + d * d);
  const users = model.userIds.length;
  const items = model.itemIds.length;
  return {
    hp,
    withContent: model.withContent,
    userIds: model.userIds,
    itemIds: model.itemIds,
    userTrained: Uint8Array.from(model.userTrained),
    itemTrained: Uint8Array.from(model.itemTrained),
    users: new EmbeddingTable(users, d, await read(FILES.users, users * d)),
    items: new EmbeddingTable(items, d, await read(FILES.items, items * d)),
    content: new EmbeddingTable(hp.contentBuckets, d, await read(FILES.content, hp.contentBuckets * d)),
    itemInputs: await read(FILES.itemInputs, items * d),
    wu: dense.slice(0, d * 2 * d),
    wm: dense.slice(d * 2 * d),
  };
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function concat(...arrays: Float32Array[]): Uint8Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return bytes(out);
}
