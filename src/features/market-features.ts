import type { CollectionName } from '../domain/collections.js';
import type { Document } from '../store/types.js';
import type { FeatureConfig } from './feature-config.js';
import { decayFactor } from './expressions.js';
import { DAY_MS } from '../util/durations.js';

/**
 * market_features from the interactions of the last `marketWindowMs` (7 days): unique users,
 * trades and interactions over 24h and 7d, a trend score (last 24h's users against the market's own
 * daily average over the window, or over its life if younger), age and time to close. Windowed
 * counts cannot be folded in incrementally (old interactions leave the window), so both modes
 * recompute them; the cost is bounded by the window, not the history.
 *
 * Expected plan on MongoDB: IXSCAN `ts_1` for the window; $group keyed by market × user (at most the
 * user × market pairs), then by market; $lookup through markets `ticker_1`; $merge through
 * `ticker_1` (unique).
 */
export function marketFeaturesPipeline(asOf: Date, config: FeatureConfig): Document[] {
  const dayAgo = new Date(asOf.getTime() - DAY_MS);
  const inDay = { $gte: ['$ts', dayAgo] };
  const isTrade = { $eq: ['$type', 'trade'] };
  return [
    { $match: { ts: { $gte: new Date(asOf.getTime() - config.marketWindowMs), $lte: asOf } } },
    {
      $group: {
        _id: { t: '$ticker', u: '$userId' },
        n7: { $sum: 1 },
        n24: { $sum: { $cond: [inDay, 1, 0] } },
        trades7: { $sum: { $cond: [isTrade, 1, 0] } },
        trades24: { $sum: { $cond: [{ $and: [isTrade, inDay] }, 1, 0] } },
      },
    },
    {
      $group: {
        _id: '$_id.t',
        users7d: { $sum: 1 },
        users24h: { $sum: { $cond: [{ $gt: ['$n24', 0] }, 1, 0] } },
        interactions7d: { $sum: '$n7' },
        interactions24h: { $sum: '$n24' },
        trades7d: { $sum: '$trades7' },
        trades24h: { $sum: '$trades24' },
      },
    },
    { $lookup: { from: 'markets', localField: '_id', foreignField: 'ticker', as: 'm' } },
    { $set: { m: { $first: '$m' } } },
    {
      $set: {
        ageMs: { $cond: [{ $ifNull: ['$m.openTime', false] }, { $subtract: [asOf, '$m.openTime'] }, null] },
        timeToCloseMs: {
          $cond: [{ $ifNull: ['$m.closeTime', false] }, { $subtract: ['$m.closeTime', asOf] }, null],
        },
      },
    },
    {
      $set: {
        // Days of baseline: the window, or the market's life so far if shorter (at least one day).
        baselineDays: {
          $max: [
            1,
            {
              $min: [
                config.marketWindowMs / DAY_MS,
                { $divide: [{ $ifNull: ['$ageMs', config.marketWindowMs] }, DAY_MS] },
              ],
            },
          ],
        },
      },
    },
    {
      $project: {
        _id: 0,
        ticker: '$_id',
        asOf: { $literal: asOf },
        users24h: 1,
        users7d: 1,
        interactions24h: 1,
        interactions7d: 1,
        trades24h: 1,
        trades7d: 1,
        trend: {
          $ln: {
            $divide: [{ $add: ['$users24h', 1] }, { $add: [{ $divide: ['$users7d', '$baselineDays'] }, 1] }],
          },
        },
        ageMs: 1,
        timeToCloseMs: 1,
      },
    },
    {
      $merge: {
        into: 'market_features' satisfies CollectionName,
        on: 'ticker',
        whenMatched: 'replace',
        whenNotMatched: 'insert',
      },
    },
  ];
}

/**
 * Adds `recency` to the markets of market_features, run over user_market_features: the users' positive interest decayed to `asOf`
 * (Σ over user × market pairs of strength × 0.5^(age/half-life), each pair's strength as of its own
 * last fold), over all history, not the 7-day window: recency-weighted popularity, the strongest
 * single signal on many temporal logs. Markets without a document (no activity in the window) are
 * left out; their decayed interest is at most half what it was a half-life ago.
 *
 * Expected plan on MongoDB: COLLSCAN of user_market_features (or IXSCAN `strength`), $group by
 * market, $merge through `ticker_1` (unique).
 */
export function marketRecencyPipeline(asOf: Date, config: FeatureConfig): Document[] {
  return [
    { $match: { strength: { $gt: 0 } } },
    {
      $group: {
        _id: '$ticker',
        recency: {
          $sum: { $multiply: ['$strength', decayFactor({ $subtract: [asOf, '$asOf'] }, config)] },
        },
      },
    },
    { $project: { _id: 0, ticker: '$_id', recency: 1 } },
    {
      $merge: {
        into: 'market_features' satisfies CollectionName,
        on: 'ticker',
        whenMatched: 'merge',
        whenNotMatched: 'discard',
      },
    },
  ];
}
