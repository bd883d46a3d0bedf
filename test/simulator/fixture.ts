import type { InteractionRecord, MarketRecord, Simulation } from '../../src/simulator/index.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';
import { simulate } from '../helpers/simulation.js';

/** The suite's fixed end, so tests do not depend on today's date. */
export const END = TEST_END;
export { DAY_MS };

export interface Run {
  sim: Simulation;
  markets: MarketRecord[];
  interactions: InteractionRecord[];
}

/** A whole simulation materialized as records (fine at test sizes). */
export function run(seed: number, users: number, days: number, end = END): Run {
  const sim = simulate({ seed, users, days, end });
  const interactions = [...sim.interactionDays()].flatMap((d) => [...d.records()]);
  return { sim, markets: sim.markets(), interactions };
}

export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export const userIndex = (userId: string): number => Number(userId.slice('user-'.length)) - 1;
