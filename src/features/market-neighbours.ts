import type { CollectionName } from '../domain/collections.js';
import type { Document } from '../store/types.js';
import type { FeatureConfig } from './feature-config.js';

/**
 * market_neighbours: item–item cosine over users, `sim(a, b) = |U_a ∩ U_b| / sqrt(|U_a| |U_b|)`,
 * where U_x are the users who showed positive interest in x recently, keeping the top N per market.
 *
 * Bounded memory: each user contributes only their `perUser` strongest recent markets, so a user
 * adds at most perUser × (perUser − 1) pairs and the pair $group's key space is bounded by
 * Σ_u min(n_u, perUser)², independent of catalogue size; pairs seen by fewer than `minCoUsers`
 * users are dropped before the per-market top-N.
 *
 * Expected plan on MongoDB: COLLSCAN of user_market_features filtered on strength/lastTs (or an
 * IXSCAN on `lastTs_1`); $setWindowFields partitioned by user (sorted within a user's pairs) and
 * by market; $group by user (≤ perUser items each); $group by pair (spills with allowDiskUse);
 * $group by market with $topN; $merge through `ticker_1` (unique).
 */
export function marketNeighboursPipeline(asOf: Date, config: FeatureConfig): Document[] {
  const { perUser, lookbackMs, topN, minCoUsers } = config.neighbours;
  return [
    { $match: { strength: { $gt: 0 }, lastTs: { $gte: new Date(asOf.getTime() - lookbackMs) } } },
    {
      $setWindowFields: {
        partitionBy: '$userId',
        sortBy: { strength: -1, ticker: 1 },
        output: { rank: { $documentNumber: {} } },
      },
    },
    { $match: { rank: { $lte: perUser } } },
    { $setWindowFields: { partitionBy: '$ticker', output: { users: { $count: {} } } } },
    { $group: { _id: '$userId', items: { $push: { t: '$ticker', n: '$users' } } } },
    {
      $project: {
        pairs: {
          $reduce: {
            input: '$items',
            initialValue: [],
            in: {
              $concatArrays: [
                '$$value',
                {
                  $map: {
                    input: { $filter: { input: '$items', as: 'b', cond: { $ne: ['$$b.t', '$$this.t'] } } },
                    as: 'b',
                    in: { a: '$$this.t', na: '$$this.n', b: '$$b.t', nb: '$$b.n' },
                  },
                },
              ],
            },
          },
        },
      },
    },
    { $unwind: '$pairs' },
    {
      $group: {
        _id: { a: '$pairs.a', b: '$pairs.b' },
        co: { $sum: 1 },
        na: { $first: '$pairs.na' },
        nb: { $first: '$pairs.nb' },
      },
    },
    { $match: { co: { $gte: minCoUsers } } },
    { $set: { score: { $divide: ['$co', { $sqrt: { $multiply: ['$na', '$nb'] } }] } } },
    {
      $group: {
        _id: '$_id.a',
        neighbours: {
          $topN: {
            n: topN,
            sortBy: { score: -1, '_id.b': 1 },
            output: { ticker: '$_id.b', score: '$score', coUsers: '$co' },
          },
        },
      },
    },
    { $project: { _id: 0, ticker: '$_id', asOf: { $literal: asOf }, neighbours: 1 } },
    {
      $merge: {
        into: 'market_neighbours' satisfies CollectionName,
        on: 'ticker',
        whenMatched: 'replace',
        whenNotMatched: 'insert',
      },
    },
  ];
}
