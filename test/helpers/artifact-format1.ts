import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TwoTowerParameters } from '../../models/two-tower/parameters.js';

/** The vocabulary files of format 2, which format 1 kept inside the model file. */
export const FORMAT2_VOCABULARY_FILES = [
  'user-ids.jsonl',
  'item-ids.jsonl',
  'user-trained.u8',
  'item-trained.u8',
];

/** Writes `p`'s model file as format 1 did (vocabularies inside), beside tables saved by `saveTwoTower`. */
export async function writeFormat1ModelFile(p: TwoTowerParameters, dir: string): Promise<void> {
  await writeFile(
    path.join(dir, 'two-tower.json'),
    JSON.stringify({
      format: 1,
      hyperparameters: p.hp,
      withContent: p.withContent,
      userIds: p.userIds,
      itemIds: p.itemIds,
      userTrained: Array.from(p.userTrained),
      itemTrained: Array.from(p.itemTrained),
    }),
  );
}
