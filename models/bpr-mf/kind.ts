import type { RecommenderKind } from '../core/types.js';
import { loadBpr } from './artifact.js';
import { BprMfRecommender } from './model.js';
import { BPR_KIND } from './parameters.js';
import { BprServing } from './serving.js';

export const bprKind: RecommenderKind = {
  kind: BPR_KIND,
  create: (hyperparameters) => new BprMfRecommender(hyperparameters),
  load: async (dir) => {
    const params = await loadBpr(dir);
    return new BprMfRecommender(params.hp, params);
  },
  serve: (version, model, pause) => {
    if (!(model instanceof BprMfRecommender)) throw new TypeError(`${model.kind} is not a BPR-MF model`);
    return BprServing.create(version, model.parameters, pause);
  },
};
