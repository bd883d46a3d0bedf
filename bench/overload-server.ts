/**
 * The API for the overload benchmark, in its own process (the load generator must not share its
 * CPU): a small simulated exchange with features and no model, served with SIBYL_MAX_IN_FLIGHT =
 * argv[2] (0: no load shedding) and the probes also on a port of their own (SIBYL_PROBE_PORT). Prints
 * one JSON line when listening; SIGTERM stops it.
 */
import { DEFAULT_FEATURE_CONFIG } from '../src/features/feature-config.js';
import { refreshFeatures } from '../src/features/refresh.js';
import { simulateToStore } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import { startBenchApi } from './bench-api.js';
import { startStoreProcess } from './store-process.js';

export const OVERLOAD_SIM = { seed: 5, users: 1_000, days: 7 };

const maxInFlight = Number(process.argv[2] ?? 0);
const server = await startStoreProcess();
await ensureIndexes(server.store);
await simulateToStore(server.store, OVERLOAD_SIM);
await refreshFeatures(server.store, { mode: 'full', config: { ...DEFAULT_FEATURE_CONFIG, settleMs: 0 } });
const api = await startBenchApi(server.store, {
  SIBYL_MAX_IN_FLIGHT: maxInFlight,
  SIBYL_PROBE_PORT: 0,
  SIBYL_EXPERIMENTS_DIR: '/nonexistent-experiments',
});
process.once('SIGTERM', () => {
  void api
    .close()
    .then(() => server.stop())
    .finally(() => process.exit(0));
});
console.log(JSON.stringify({ url: api.url, probeUrl: api.probeUrl, maxInFlight }));
