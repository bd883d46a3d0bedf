import type { Document, Store } from '../store/types.js';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from './feature-config.js';
import { marketFeaturesPipeline, marketRecencyPipeline } from './market-features.js';
import { marketNeighboursPipeline } from './market-neighbours.js';
import { touchedUsersPipeline, userFeaturesPipelines } from './user-features.js';
import { receivedWindow, userMarketFeaturesPipeline } from './user-market-features.js';

/** MongoDB caps a blocking stage ($group, $sort) at 100 MB of memory unless it may spill to disk. */
const DISK = { allowDiskUse: true } as const;

export type RefreshMode = 'full' | 'incremental';

/** Where the features stand: the last completed window, and a run in progress if one died. */
export interface FeatureState {
  _id: 'features';
  /** Interactions received up to here are folded in. */
  watermark?: Date;
  asOf?: Date;
  /** A run that started and has not completed: a retry resumes exactly it. */
  pending?: { mode: RefreshMode; from?: Date; to: Date; asOf: Date; startedAt: Date };
  lastRun?: { mode: RefreshMode; completedAt: Date };
}

export interface RefreshOptions {
  mode: RefreshMode;
  now?: Date;
  config?: FeatureConfig;
  /** Called as stages complete, with the share done (0..1). */
  onProgress?: (done: number, stage: string) => void | Promise<void>;
}

export interface RefreshResult {
  mode: RefreshMode;
  /** True when this run finished a run that had died part-way. */
  resumed: boolean;
  from: Date | null;
  to: Date;
  asOf: Date;
  interactions: number;
  users: number;
  pairs: number;
  markets: number;
  neighbours: number;
}

/**
 * Builds or refreshes every feature collection. Idempotent and resumable: the window a run covers
 * is recorded before any write and only cleared at the end, so a crashed run's retry redoes the same
 * window (pairs that already folded it in skip it); a full rebuild replaces everything it covers.
 */
export async function refreshFeatures(store: Store, options: RefreshOptions): Promise<RefreshResult> {
  const config = options.config ?? DEFAULT_FEATURE_CONFIG;
  const progress = options.onProgress ?? (() => {});
  const stateColl = store.collection<FeatureState>('feature_state');
  const state = (await stateColl.findOne({ _id: 'features' })) ?? undefined;
  const plan = planRun(state, options.mode, options.now ?? new Date(), config);
  await stateColl.updateOne({ _id: 'features' }, { $set: { pending: plan.run } }, { upsert: true });

  const { mode, from, to, asOf } = plan.run;
  const window = receivedWindow(from, to);
  const interactions = await store.collection('interactions').countDocuments(window);
  await progress(0.05, 'plan');

  await drain(
    store
      .collection('interactions')
      .aggregate(userMarketFeaturesPipeline({ from, to }, asOf, config, mode), DISK),
  );
  if (mode === 'full') await store.collection('user_market_features').deleteMany({ foldedTo: { $ne: to } });
  await progress(0.35, 'user_market_features');

  let users: string[] | undefined;
  if (mode === 'incremental') {
    const touched = await store
      .collection('interactions')
      .aggregate<{ _id: string }>(touchedUsersPipeline(window))
      .toArray();
    users = touched.map((u) => u._id);
  }
  if (!users || users.length > 0) {
    for (const pipeline of userFeaturesPipelines(users, asOf, config)) {
      await drain(store.collection('user_market_features').aggregate(pipeline, DISK));
    }
  }
  if (mode === 'full') await store.collection('user_features').deleteMany({ asOf: { $ne: asOf } });
  await progress(0.6, 'user_features');

  await drain(store.collection('interactions').aggregate(marketFeaturesPipeline(asOf, config), DISK));
  await store.collection('market_features').deleteMany({ asOf: { $ne: asOf } });
  await drain(store.collection('user_market_features').aggregate(marketRecencyPipeline(asOf, config), DISK));
  await progress(0.75, 'market_features');

  await drain(
    store.collection('user_market_features').aggregate(marketNeighboursPipeline(asOf, config), DISK),
  );
  await store.collection('market_neighbours').deleteMany({ asOf: { $ne: asOf } });
  await progress(0.95, 'market_neighbours');

  await stateColl.updateOne(
    { _id: 'features' },
    { $set: { watermark: to, asOf, lastRun: { mode, completedAt: new Date() } }, $unset: { pending: '' } },
  );
  const [pairs, markets, neighbours, userCount] = await Promise.all([
    store.collection('user_market_features').countDocuments({ foldedTo: to }),
    store.collection('market_features').countDocuments(),
    store.collection('market_neighbours').countDocuments(),
    users ? Promise.resolve(users.length) : store.collection('user_features').countDocuments(),
  ]);
  await progress(1, 'done');
  return {
    mode,
    resumed: plan.resumed,
    from: from ?? null,
    to,
    asOf,
    interactions,
    users: userCount,
    pairs,
    markets,
    neighbours,
  };
}

/** Which window to cover: a dead run's, or the next one (everything, for a full rebuild). */
function planRun(
  state: FeatureState | undefined,
  requested: RefreshMode,
  now: Date,
  config: FeatureConfig,
): { run: NonNullable<FeatureState['pending']>; resumed: boolean } {
  const pending = state?.pending;
  // A full request supersedes a dead incremental one (it replaces everything anyway).
  if (pending && !(requested === 'full' && pending.mode === 'incremental'))
    return { run: pending, resumed: true };
  // Never behind the watermark: a run with a shorter settle time (the demo's first, with none)
  // already covered up to it, and going back would fold that slice again, or, for a full
  // rebuild, drop it from every user's features.
  const to = new Date(Math.max(now.getTime() - config.settleMs, state?.watermark?.getTime() ?? -Infinity));
  const mode = requested === 'incremental' && state?.watermark ? 'incremental' : 'full';
  const from = mode === 'incremental' ? state?.watermark : undefined;
  return { run: { mode, ...(from ? { from } : {}), to, asOf: to, startedAt: now }, resumed: false };
}

async function drain(cursor: AsyncIterable<Document>): Promise<void> {
  for await (const _ of cursor) {
    // $merge pipelines return nothing; iterating runs them.
  }
}
