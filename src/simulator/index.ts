/** The seeded exchange simulator: library entry point (the CLI is src/cli/commands/simulate.ts). */
export {
  simulate,
  Simulation,
  SimulatedDay,
  defaultEnd,
  SIMULATION_DEFAULTS,
  SIMULATION_LIMITS,
  type SimulationOptions,
  type UserProfile,
} from './simulate.js';
export { simulateToStore, type SimulateToStoreOptions, type SimulateToStoreResult } from './to-store.js';
export { writeSimulationFiles, OUTPUT_FILES } from './writers.js';
export type { ProgressListener, SimulationCounts, SimulationProgress } from './progress.js';
export { CSV_HEADER } from './records.js';
export type { EventRecord, InteractionRecord, MarketRecord, SeriesRecord, UserRecord } from './records.js';
export { CATEGORIES } from './series/index.js';
export { ALL_DYNAMICS, NO_DYNAMICS, type Dynamics } from './catalogue.js';
export type { NewsShock } from './news.js';
