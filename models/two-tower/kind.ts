import type { RecommenderKind } from '../core/types.js';
import { loadTwoTower } from './artifact.js';
import { TWO_TOWER_KIND, TwoTowerModel } from './model.js';

export const twoTowerKind: RecommenderKind = {
  kind: TWO_TOWER_KIND,
  create: (hyperparameters) => new TwoTowerModel(hyperparameters),
  load: async (dir) => {
    const params = await loadTwoTower(dir);
    return new TwoTowerModel(params.hp, params);
  },
};
