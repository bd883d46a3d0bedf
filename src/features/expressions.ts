import type { Document } from '../store/types.js';
import { INTERACTION_TYPES } from '../domain/schemas.js';
import type { FeatureConfig } from './feature-config.js';

/** Aggregation expressions shared by the pipelines (valid on MongoDB and the embedded store alike). */

/** The configured weight of the interaction's `$type`. */
export function weightOf(config: FeatureConfig): Document {
  return {
    $switch: {
      branches: INTERACTION_TYPES.map((type) => ({
        case: { $eq: ['$type', type] },
        then: config.weights[type],
      })),
      default: 0,
    },
  };
}

/** 0.5^(age / half-life), with `age` an expression in ms; future timestamps count as now. */
export function decayFactor(ageMs: unknown, config: FeatureConfig): Document {
  return { $pow: [0.5, { $divide: [{ $max: [0, ageMs] }, config.halfLifeMs] }] };
}

/** Weight of an interaction decayed to `asOf`. */
export function decayedWeight(asOf: Date, config: FeatureConfig): Document {
  return { $multiply: [weightOf(config), decayFactor({ $subtract: [asOf, '$ts'] }, config)] };
}

/** `{ view: {$sum: …}, click: … }`: how many interactions of each type, for a $group stage. */
export function countsByType(): Document {
  return Object.fromEntries(
    INTERACTION_TYPES.map((type) => [`n_${type}`, { $sum: { $cond: [{ $eq: ['$type', type] }, 1, 0] } }]),
  );
}

/** Folds the `n_<type>` group fields into one `counts` sub-document. */
export function countsDocument(): Document {
  return Object.fromEntries(INTERACTION_TYPES.map((type) => [type, `$n_${type}`]));
}
