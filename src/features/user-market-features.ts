import type { CollectionName } from '../domain/collections.js';
import type { Document } from '../store/types.js';
import { INTERACTION_TYPES } from '../domain/schemas.js';
import type { FeatureConfig } from './feature-config.js';
import { countsByType, countsDocument, decayFactor, decayedWeight } from './expressions.js';

/** Interactions received in (from, to]: the slice a run folds in (`from` undefined: everything). */
export function receivedWindow(from: Date | undefined, to: Date): Document {
  return { receivedAt: from ? { $gt: from, $lte: to } : { $lte: to } };
}

/**
 * user_market_features: one document per user × market with the interaction strength decayed to
 * `asOf`, counts by type, and first/last interaction time.
 *
 * Expected plan on MongoDB: IXSCAN on `receivedAt_1` for the $match (a full rebuild scans the
 * collection); $group keyed by (userId, ticker), i.e. at most the user × market pairs, spilling to
 * disk with allowDiskUse; $merge looks up `userId_1_ticker_1` (unique) per output document.
 *
 * A full rebuild replaces every pair; an incremental run merges in the new slice, decaying the
 * stored strength to the new `asOf` first, so both modes give the same values (strength × 0.5^(Δt/h)
 * is linear in the interactions).
 */
export function userMarketFeaturesPipeline(
  window: { from?: Date; to: Date },
  asOf: Date,
  config: FeatureConfig,
  mode: 'full' | 'incremental',
): Document[] {
  const foldedTo = window.to;
  return [
    { $match: receivedWindow(window.from, window.to) },
    {
      $group: {
        _id: { userId: '$userId', ticker: '$ticker' },
        strength: { $sum: decayedWeight(asOf, config) },
        firstTs: { $min: '$ts' },
        lastTs: { $max: '$ts' },
        ...countsByType(),
      },
    },
    {
      $project: {
        _id: 0,
        userId: '$_id.userId',
        ticker: '$_id.ticker',
        strength: 1,
        asOf: { $literal: asOf },
        foldedTo: { $literal: foldedTo },
        firstTs: 1,
        lastTs: 1,
        counts: countsDocument(),
      },
    },
    {
      $merge: {
        into: 'user_market_features' satisfies CollectionName,
        on: ['userId', 'ticker'],
        whenMatched: mode === 'full' ? 'replace' : foldIn(config),
        whenNotMatched: 'insert',
      },
    },
  ];
}

/**
 * $merge pipeline: the stored pair decayed to the new asOf plus the new slice. A pair that already
 * folded this window in (`foldedTo`) is left alone, so a retried run never counts a slice twice.
 * Each field reads only itself and the temporaries, so the result does not depend on whether a
 * $set evaluates its fields at once (MongoDB) or in order.
 */
function foldIn(config: FeatureConfig): Document[] {
  const unlessDone = (field: string, folded: unknown) => ({ $cond: ['$_done', `$${field}`, folded] });
  return [
    {
      $set: {
        _done: { $gte: ['$foldedTo', '$$new.foldedTo'] },
        _decay: decayFactor({ $subtract: ['$$new.asOf', '$asOf'] }, config),
      },
    },
    {
      $set: {
        strength: unlessDone('strength', {
          $add: ['$$new.strength', { $multiply: ['$strength', '$_decay'] }],
        }),
        asOf: unlessDone('asOf', '$$new.asOf'),
        foldedTo: unlessDone('foldedTo', '$$new.foldedTo'),
        firstTs: unlessDone('firstTs', { $min: ['$firstTs', '$$new.firstTs'] }),
        lastTs: unlessDone('lastTs', { $max: ['$lastTs', '$$new.lastTs'] }),
        ...Object.fromEntries(
          INTERACTION_TYPES.map((type) => [
            `counts.${type}`,
            unlessDone(`counts.${type}`, { $add: [`$counts.${type}`, `$$new.counts.${type}`] }),
          ]),
        ),
      },
    },
    { $unset: ['_done', '_decay'] },
  ];
}
