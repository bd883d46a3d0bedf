import type { RecommenderKind } from '../core/types.js';
import { loadEase } from './artifact.js';
import { EaseRecommender } from './model.js';
import { EASE_KIND } from './parameters.js';
import { EaseServing } from './serving.js';

export const easeKind: RecommenderKind = {
  kind: EASE_KIND,
  create: (hyperparameters) => new EaseRecommender(hyperparameters),
  load: async (dir) => {
    const params = await loadEase(dir);
    return new EaseRecommender(params.hp, params);
  },
  serve: (version, model, pause) => {
    if (!(model instanceof EaseRecommender)) throw new TypeError(`${model.kind} is not an EASE model`);
    return EaseServing.create(version, model.parameters, pause);
  },
};
