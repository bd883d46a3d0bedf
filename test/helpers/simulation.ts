import {
  simulate as simulateAnyDay,
  simulateToStore as simulateToStoreAnyDay,
  type Simulation,
  type SimulationOptions,
  type SimulateToStoreOptions,
  type SimulateToStoreResult,
} from '../../src/simulator/index.js';
import type { Store } from '../../src/store/types.js';
import { TEST_END } from './fixed-clock.js';

/**
 * The simulator as tests may call it: `end` is required (type and run time), so no test's exchange
 * moves with the date the suite runs on. ESLint forbids importing the simulator's own entry points in
 * tests (eslint.config.js); this module is the one exception (simulate-cli.ts for `sibyl simulate`).
 */
type Fixed<T> = T & { end: Date };

function requireEnd(options: { end?: Date }): void {
  if (!(options.end instanceof Date))
    throw new TypeError('tests must pass an explicit end to the simulator (use TEST_END)');
}

export function simulate(options: Fixed<SimulationOptions>): Simulation {
  requireEnd(options);
  return simulateAnyDay(options);
}

/**
 * Bookkeeping `now` defaults to the simulated end too, so stored documents do not carry today: also
 * when a caller spreads in `now: undefined`, which the simulator would read as "use the wall clock".
 */
export function simulateToStore(
  store: Store,
  options: Fixed<SimulateToStoreOptions>,
): Promise<SimulateToStoreResult> {
  requireEnd(options);
  return simulateToStoreAnyDay(store, { ...options, now: options.now ?? options.end });
}

export { TEST_END };
