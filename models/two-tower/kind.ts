import type { RecommenderKind } from '../core/types.js';
import { loadTwoTower } from './artifact.js';
import { TWO_TOWER_KIND, TwoTowerModel } from './model.js';
import { TwoTowerServing } from './serving.js';

export const twoTowerKind: RecommenderKind = {
  kind: TWO_TOWER_KIND,
  create: (hyperparameters) => new TwoTowerModel(hyperparameters),
  load: async (dir) => {
    const params = await loadTwoTower(dir);
    return new TwoTowerModel(params.hp, params);
  },
  serve: (version, model, pause) => {
    if (!(model instanceof TwoTowerModel)) throw new TypeError(`${model.kind} is not a two-tower model`);
    return TwoTowerServing.create(version, model.parameters, pause);
  },
};
