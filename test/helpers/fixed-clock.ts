/**
 * The suite's one calendar. Everything a test simulates, builds features from, trains, evaluates or
 * ranks is placed on these instants, never on today's date: a run on any day sees the same exchange.
 */

/** End of every simulated window (a midnight UTC, as the simulator's default end would be). */
export const TEST_END = new Date('2026-11-22T00:00:00Z');

/** "Now" for serving and bookkeeping in tests that do not simulate: half a day after TEST_END. */
export const TEST_NOW = new Date('2026-11-22T12:00:00Z');

/** Where child processes that read the system clock (`sibyl demo`) find it when they start: just after TEST_END. */
export const PROCESS_CLOCK_START = new Date(TEST_END.getTime() + 5 * 60_000);

export { DAY_MS, HOUR_MS } from '../../src/util/durations.js';
