import type { z } from 'zod';
import { eventInput, interactionInput, marketInput, seriesInput, userInput } from '../domain/schemas.js';
import { parseBatch, rejectIfInvalid } from '../ingest/batch.js';
import { writeEvents, writeMarkets, writeSeries, writeUsers } from '../ingest/catalogue-writer.js';
import { writeInteractions } from '../ingest/interaction-writer.js';
import type { Store } from '../store/types.js';
import type { ProgressListener, SimulationCounts } from './progress.js';
import { simulate, type Simulation, type SimulationOptions, type UserProfile } from './simulate.js';

/**
 * `sibyl simulate --to-store` and `sibyl demo`: the simulated exchange written through the ingestion
 * layer (validated with the API's schemas, then the same writers), in batches: series, events and
 * markets first, then users, then interactions day by day.
 */

export interface SimulateToStoreOptions extends SimulationOptions {
  /** Items per validated write. @defaultValue 5000 */
  batchSize?: number;
  onProgress?: ProgressListener;
  /** Bookkeeping time for `createdAt`/`receivedAt`. @defaultValue now */
  now?: Date;
}

export interface SimulateToStoreResult {
  counts: SimulationCounts;
  start: Date;
  end: Date;
  /** An active user with clear, stable tastes: a good first feed to look at. */
  demoUserId: string;
  demoUser: UserProfile;
}

const POSITIVE = new Set(['click', 'watch', 'trade']);

export async function simulateToStore(
  store: Store,
  options: SimulateToStoreOptions = {},
): Promise<SimulateToStoreResult> {
  const sim = simulate(options);
  const size = options.batchSize ?? 5000;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${size}`);
  const now = options.now ?? new Date();
  const report = (phase: 'catalogue' | 'users' | 'interactions', day: number, interactions: number) =>
    options.onProgress?.({ phase, day, days: sim.dayCount, interactions });

  report('catalogue', 0, 0);
  const counts: SimulationCounts = {
    series: await inBatches(sim.series(), size, (b) =>
      writeSeries(store, validated(seriesInput, b, 'series'), now),
    ),
    events: await inBatches(sim.events(), size, (b) =>
      writeEvents(store, validated(eventInput, b, 'events'), now),
    ),
    markets: await inBatches(sim.markets(), size, (b) =>
      writeMarkets(store, validated(marketInput, b, 'markets'), now),
    ),
    users: 0,
    interactions: 0,
  };
  report('users', 0, 0);
  counts.users = await inBatches(sim.users(), size, (b) =>
    writeUsers(store, validated(userInput, b, 'users'), now),
  );

  const positives = new Int32Array(sim.userCount);
  for (const day of sim.interactionDays()) {
    counts.interactions += await inBatches(day.records(), size, async (batch) => {
      for (const r of batch) if (POSITIVE.has(r.type)) positives[Number(r.userId.slice(5)) - 1]!++;
      await writeInteractions(store, validated(interactionInput, batch, 'interactions'), now);
    });
    report('interactions', day.day + 1, counts.interactions);
  }
  const demo = pickDemoUser(sim, positives);
  return { counts, start: sim.start, end: sim.end, demoUserId: demo.userId, demoUser: demo };
}

/** Simulated data is valid by construction; a rejection here is a simulator bug and fails loudly. */
function validated<S extends z.ZodType>(schema: S, items: unknown[], name: string): z.output<S>[] {
  const { valid, issues } = parseBatch(schema, items, name);
  rejectIfInvalid(issues, items.length, name);
  return valid.map((v) => v.value);
}

async function inBatches<T>(
  items: Iterable<T>,
  size: number,
  write: (batch: T[]) => Promise<unknown>,
): Promise<number> {
  let batch: T[] = [];
  let count = 0;
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      await write(batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) await write(batch);
  return count + batch.length;
}

/**
 * The most engaged user whose tastes are clear (one category holds at least 40% of their interest)
 * and do not drift, so their feed visibly reflects them; else simply the most engaged user.
 */
function pickDemoUser(sim: Simulation, positives: Int32Array): UserProfile {
  let best = -1;
  let fallback = 0;
  for (let u = 0; u < sim.userCount; u++) {
    if (positives[u]! > positives[fallback]!) fallback = u;
    if (best >= 0 && positives[u]! <= positives[best]!) continue;
    const profile = sim.profile(u);
    if (!profile.driftsAt && profile.categories[0]!.share >= 0.4) best = u;
  }
  return sim.profile(best >= 0 ? best : fallback);
}
