/**
 * `npm run bench -- store`: what the wire hop costs. The same indexed lookups (100,000
 * interactions, unique `eventId`) answered by the store's engine called in-process (the baseline:
 * what the application did before `sibyl store`) and through the official driver to `sibyl store`
 * running as its own process (journaled data directory, as the demo runs it). `ping` is the round
 * trip with no work at all.
 */
import { Database } from '../src/store/server/database.js';
import { median, percentile, table, timeRuns } from './harness.js';
import { startStoreProcess } from './store-process.js';

const DOCS = 100_000;
const RUNS = 5_000;

function interaction(i: number) {
  return {
    eventId: `e-${i}`,
    userId: `user-${i % 5_000}`,
    ticker: `KX-${i % 300}`,
    type: i % 10 === 0 ? 'trade' : 'impression',
    ts: new Date(Date.UTC(2026, 10, 1) + i * 1_000),
    receivedAt: new Date(Date.UTC(2026, 10, 1) + i * 1_000),
  };
}

export default async function run(): Promise<void> {
  const docs = Array.from({ length: DOCS }, (_, i) => interaction(i));
  const engine = new Database('bench').collection('interactions');
  engine.createIndex({ keys: { eventId: 1 }, unique: true });
  engine.load(docs.map((d, i) => ({ _id: i, ...d })));

  const server = await startStoreProcess();
  const coll = server.store.collection('interactions');
  await coll.createIndex({ eventId: 1 }, { unique: true });
  for (let i = 0; i < DOCS; i += 10_000)
    await coll.insertMany(docs.slice(i, i + 10_000).map((d) => ({ ...d })));

  const key = (k: number) => `e-${(k * 7_919) % DOCS}`;
  const fifty = (k: number) => Array.from({ length: 50 }, (_, j) => key(k * 50 + j));
  let k = 0;
  const rows = [
    ['point read, engine in-process (baseline)', () => engine.querySync({ eventId: key(k++) }, { limit: 1 })],
    ['point read, driver → sibyl store', () => coll.findOne({ eventId: key(k++) })],
    ['50 ids by $in, engine in-process', () => engine.querySync({ eventId: { $in: fifty(k++) } })],
    ['50 ids by $in, driver → sibyl store', () => coll.find({ eventId: { $in: fifty(k++) } }).toArray()],
    ['ping, driver → sibyl store', () => server.store.ping()],
  ] as const;
  const measured: { name: string; times: number[] }[] = [];
  for (const [name, fn] of rows) measured.push({ name, times: await timeRuns(RUNS, fn, 200) });
  await server.stop();

  const base = (name: string) => median(measured.find((m) => m.name.startsWith(name))!.times);
  table(
    `Indexed reads over ${DOCS.toLocaleString('en-US')} interactions, ${RUNS.toLocaleString('en-US')} runs each, one at a time`,
    measured.map(({ name, times }) => ({
      read: name,
      'median µs': median(times) * 1000,
      'p99 µs': percentile(times, 99) * 1000,
      'vs engine in-process': name.startsWith('ping')
        ? '—'
        : `${(median(times) / base(name.startsWith('50') ? '50 ids by $in, engine' : 'point read, engine')).toFixed(1)}×`,
    })),
  );
}
