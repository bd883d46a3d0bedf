import { DEFAULT_FEATURE_CONFIG } from '../src/features/feature-config.js';
import { refreshFeatures } from '../src/features/refresh.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import type { MongoStore } from '../src/store/mongo-store.js';
import { startStoreProcess } from './store-process.js';

export const FEED_SIM = { seed: 11, users: 5_000, days: 14 };

/** Two in three requests from known users, one from users never seen (cold start). */
export const feedUser = (i: number): string =>
  i % 3 === 2 ? `cold-${i}` : `user-${1 + ((i * 7919) % FEED_SIM.users)}`;

/** The simulated exchange the feed benchmarks serve, with features built, in `sibyl store` as its own process. */
export async function feedFixture(): Promise<{
  store: MongoStore;
  /** Closes the connection and stops the store process. */
  stop(): Promise<void>;
  interactions: number;
  openMarkets: number;
  /** When the simulated history ends. */
  end: Date;
}> {
  const server = await startStoreProcess();
  const { store } = server;
  await ensureIndexes(store);
  const sim = await simulateToStore(store, FEED_SIM);
  await refreshFeatures(store, { mode: 'full', config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 } });
  const openMarkets = await store.collection('markets').countDocuments({ status: 'open' });
  return { store, stop: server.stop, interactions: sim.counts.interactions, openMarkets, end: sim.end };
}
