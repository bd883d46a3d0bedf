/**
 * Ingestion throughput: interactions/s through `POST /v1/interactions` in batches of 500 against the
 * running server (HTTP, validation, market check, idempotent write), with the same batches written
 * through the writer from this process (no HTTP) as the in-run baseline. Storage is `sibyl store` in
 * its own process on a journaled data directory, as the demo runs it: every acknowledged write is
 * fsynced first (MongoDB is not available here).
 */
import { simulate } from '../src/simulator/index.js';
import { ensureIndexes } from '../src/store/collections.js';
import type { z } from 'zod';
import { eventInput, interactionInput, marketInput, seriesInput } from '../src/domain/schemas.js';
import { parseBatch } from '../src/ingest/batch.js';
import { writeEvents, writeMarkets, writeSeries } from '../src/ingest/catalogue-writer.js';
import { writeInteractions } from '../src/ingest/interaction-writer.js';
import type { InteractionRecord } from '../src/simulator/index.js';
import { BENCH_KEY, startBenchApi } from './bench-api.js';
import { createSibylClient, type InteractionPost } from '../src/client/index.js';
import { median, percentile, table } from './harness.js';
import { startStoreProcess, type StoreProcess } from './store-process.js';

const BATCH = 500;
const CONCURRENCY = 4;
const SIM = { seed: 7, users: 3_000, days: 14, end: new Date('2026-11-22T00:00:00Z') };

function validated<S extends z.ZodType>(schema: S, items: unknown[]): z.output<S>[] {
  return parseBatch(schema, items, 'items').valid.map((v) => v.value);
}

async function freshStore(sim: ReturnType<typeof simulate>): Promise<StoreProcess> {
  const server = await startStoreProcess();
  const { store } = server;
  await ensureIndexes(store);
  await writeSeries(store, validated(seriesInput, sim.series()));
  await writeEvents(store, validated(eventInput, sim.events()));
  await writeMarkets(store, validated(marketInput, sim.markets()));
  return server;
}

function batches(sim: ReturnType<typeof simulate>): InteractionRecord[][] {
  const all: InteractionRecord[] = [];
  for (const day of sim.interactionDays()) for (const r of day.records()) all.push(r);
  const out: InteractionRecord[][] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(all.slice(i, i + BATCH));
  return out;
}

export default async function run(): Promise<void> {
  const sim = simulate(SIM);
  const work = batches(sim);
  const total = work.reduce((n, b) => n + b.length, 0);

  // Baseline: validation + write in-process, no HTTP.
  const direct = await freshStore(sim);
  const directStart = performance.now();
  for (const batch of work) {
    await writeInteractions(direct.store, validated(interactionInput, batch));
  }
  const directSeconds = (performance.now() - directStart) / 1000;
  await direct.stop();

  // Through the running server, CONCURRENCY requests in flight.
  const server = await freshStore(sim);
  const { store } = server;
  // The simulated history is replayed at today's clock: the API's timestamp window must admit it.
  const api = await startBenchApi(store, { INGEST_MAX_BATCH: BATCH, INGEST_TS_MAX_AGE_DAYS: 36_500 });
  const client = createSibylClient({ baseUrl: api.url, apiKey: BENCH_KEY, timeoutMs: 120_000 });
  // The simulator's records are the API's interactions: their `ts` Dates serialise as the ISO-8601 it takes.
  const post = (batch: (typeof work)[number]) =>
    client.postInteractions(batch as unknown as InteractionPost[]);
  const latencies: number[] = [];
  let next = 0;
  const httpStart = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const batch = work[next++]!;
        const t = performance.now();
        await post(batch);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const httpSeconds = (performance.now() - httpStart) / 1000;
  const stored = await store.collection('interactions').countDocuments();
  if (stored !== total) throw new Error(`stored ${stored} of ${total}`);

  // Replaying the same batches: every item is a duplicate (idempotency cost).
  const replayStart = performance.now();
  for (const batch of work.slice(0, 40)) {
    await post(batch);
  }
  const replaySeconds = (performance.now() - replayStart) / 1000;
  await api.close();
  await server.stop();

  table(
    `Ingestion, sibyl store as its own process (journaled, fsynced), ${total.toLocaleString('en-US')} simulated interactions in batches of ${BATCH}`,
    [
      {
        path: 'writer from this process, no HTTP (baseline)',
        'interactions/s': total / directSeconds,
        'batch p50 ms': NaN,
        'batch p99 ms': NaN,
        'vs baseline': '1.00×',
      },
      {
        path: `POST /v1/interactions, ${CONCURRENCY} in flight`,
        'interactions/s': total / httpSeconds,
        'batch p50 ms': median(latencies),
        'batch p99 ms': percentile(latencies, 99),
        'vs baseline': `${(directSeconds / httpSeconds).toFixed(2)}×`,
      },
      {
        path: 'replayed batches (all duplicates), sequential',
        'interactions/s': (40 * BATCH) / replaySeconds,
        'batch p50 ms': NaN,
        'batch p99 ms': NaN,
        'vs baseline': `${((40 * BATCH) / replaySeconds / (total / directSeconds)).toFixed(2)}×`,
      },
    ],
  );
}
