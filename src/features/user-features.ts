import type { CollectionName } from '../domain/collections.js';
import type { Document } from '../store/types.js';
import type { FeatureConfig } from './feature-config.js';
import { decayFactor } from './expressions.js';

/**
 * user_features, built from user_market_features (never from raw interactions): per user, the
 * share of decayed positive interest per category and per series, activity (sum of decayed positive
 * strength), first/last activity and the most recent markets. Three pipelines, each merging its own
 * fields, so none needs more than one user's pairs in a document.
 *
 * Expected plan on MongoDB: IXSCAN `userId_1_ticker_1` for the user filter (a full rebuild scans);
 * $lookup of each pair's market through `ticker_1` (unique); $group keyed by user × category (or
 * series), then by user; $merge through `userId_1` (unique).
 */
export function userFeaturesPipelines(
  users: string[] | undefined,
  asOf: Date,
  config: FeatureConfig,
): Document[][] {
  const scope: Document[] = [
    { $match: users ? { userId: { $in: users } } : {} },
    // Pairs were decayed to their own asOf; bring them all to this run's.
    { $set: { s: { $multiply: ['$strength', decayFactor({ $subtract: [asOf, '$asOf'] }, config)] } } },
  ];
  const withMarket: Document[] = [
    ...scope,
    { $lookup: { from: 'markets', localField: 'ticker', foreignField: 'ticker', as: 'm' } },
    {
      $set: {
        category: { $toLower: { $ifNull: [{ $first: '$m.category' }, 'other'] } },
        series: { $ifNull: [{ $first: '$m.seriesTicker' }, 'unknown'] },
      },
    },
  ];
  return [
    [...withMarket, ...affinity('category', 'categoryAffinity', asOf)],
    [...withMarket, ...affinity('series', 'seriesAffinity', asOf)],
    [
      ...scope,
      {
        $group: {
          _id: '$userId',
          activity: { $sum: { $max: [0, '$s'] } },
          markets: { $sum: 1 },
          interactions: {
            $sum: {
              $add: [
                '$counts.view',
                '$counts.click',
                '$counts.watch',
                '$counts.trade',
                '$counts.dismiss',
                '$counts.unwatch',
              ],
            },
          },
          trades: { $sum: '$counts.trade' },
          firstActiveAt: { $min: '$firstTs' },
          lastActiveAt: { $max: '$lastTs' },
          recentMarkets: {
            $topN: { n: config.recentMarkets, sortBy: { lastTs: -1, ticker: 1 }, output: '$ticker' },
          },
        },
      },
      {
        $project: {
          _id: 0,
          userId: '$_id',
          asOf: { $literal: asOf },
          activity: 1,
          markets: 1,
          interactions: 1,
          trades: 1,
          firstActiveAt: 1,
          lastActiveAt: 1,
          recentMarkets: 1,
        },
      },
      {
        $merge: {
          into: 'user_features' satisfies CollectionName,
          on: 'userId',
          whenMatched: 'merge',
          whenNotMatched: 'insert',
        },
      },
    ],
  ];
}

/** Shares of positive interest per `field`, sorted, as `[{ key, share }]` (keys may hold dots). */
function affinity(field: string, output: string, asOf: Date): Document[] {
  return [
    { $group: { _id: { u: '$userId', k: `$${field}` }, s: { $sum: '$s' } } },
    { $group: { _id: '$_id.u', items: { $push: { key: '$_id.k', s: '$s' } } } },
    { $set: { pos: { $filter: { input: '$items', as: 'x', cond: { $gt: ['$$x.s', 0] } } } } },
    { $set: { total: { $sum: '$pos.s' } } },
    {
      $project: {
        _id: 0,
        userId: '$_id',
        asOf: { $literal: asOf },
        [output]: {
          $sortArray: {
            input: {
              $map: {
                input: '$pos',
                as: 'x',
                in: { key: '$$x.key', share: { $divide: ['$$x.s', '$total'] } },
              },
            },
            sortBy: { share: -1, key: 1 },
          },
        },
      },
    },
    {
      $merge: {
        into: 'user_features' satisfies CollectionName,
        on: 'userId',
        whenMatched: 'merge',
        whenNotMatched: 'insert',
      },
    },
  ];
}

/** The users whose features a slice of interactions changes. */
export function touchedUsersPipeline(match: Document): Document[] {
  return [{ $match: match }, { $group: { _id: '$userId' } }];
}
