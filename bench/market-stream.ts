/**
 * `npm run bench -- market-stream`: how soon a market the exchange closes leaves the feeds.
 * Real processes: `sibyl store`, `sibyl exchange` (real time), `sibyl worker` following its stream,
 * and two API replicas: one relayed the worker's changes over Redis, and one without Redis, which
 * learns at its catalogue refresh (CATALOGUE_REFRESH_SECONDS, 5 s) — the baseline, measured in the
 * same run. For each of 40 markets at the top of the feeds: the exchange closes it early (a
 * `close_date_updated` lifecycle message), then both replicas are asked for fresh feeds every 10 ms
 * until it is gone from each.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSibylClient } from '../src/client/index.js';
import { median, percentile, table } from './harness.js';
import { startSibyl, type SibylProcess } from './sibyl-process.js';
import { startStoreProcess } from './store-process.js';

const CLOSURES = 40;
const REDIS_URL = process.env.SIBYL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export default async function run(): Promise<void> {
  if (!(await redisAnswers())) {
    console.log(`market-stream: skipped, no Redis at ${REDIS_URL} (the relay under test needs it)`);
    return;
  }
  const store = await startStoreProcess();
  const processes: SibylProcess[] = [];
  try {
    const mongo = { MONGODB_URI: store.uri, SIBYL_API_KEYS: 'bench' };
    const exchange = await startSibyl(
      ['exchange', '--port', '0', '--seed', '5'],
      {},
      /MARKET_STREAM_URL=(\S+)/,
    );
    processes.push(exchange);
    const exchangeUrl = exchange.ready.replace(/^ws/, 'http').replace(/\/trade-api\/ws\/v2$/, '');
    const prefix = `sibyl-bench-${randomUUID().slice(0, 8)}`;
    const relayed = { ...mongo, REDIS_URL, SIBYL_QUEUE_PREFIX: prefix };
    processes.push(
      await startSibyl(
        ['worker'],
        {
          ...relayed,
          MARKET_STREAM_URL: exchange.ready,
          MARKET_SYNC_URL: `${exchangeUrl}/trade-api/v2`,
        },
        /"msg":"(market catalogue resynced)"/,
      ),
    );
    const api = (env: NodeJS.ProcessEnv) =>
      startSibyl(
        ['serve'],
        { ...env, PORT: '0', HOST: '127.0.0.1' },
        /"url":"([^"]+)".*"msg":"API listening"/,
      );
    const withRelay = await api(relayed);
    const withoutRedis = await api(mongo);
    processes.push(withRelay, withoutRedis);

    let fresh = 0;
    const feed = async (base: string) =>
      (await createSibylClient({ baseUrl: base }).getFeed(`bench-${fresh++}`, { limit: 50 })).items.map(
        (i) => i.ticker,
      );
    const latencies = { relayed: [] as number[], refresh: [] as number[] };
    for (let i = 0; i < CLOSURES; i++) {
      const both = new Set(await feed(withoutRedis.ready));
      const target = (await feed(withRelay.ready)).find((t) => both.has(t));
      if (!target) throw new Error('no market in both replicas’ feeds');
      const started = performance.now();
      const res = await fetch(`${exchangeUrl}/sim/v1/markets/${target}/close`, { method: 'POST' });
      if (!res.ok) throw new Error(`close ${target}: ${res.status}`);
      const pending = new Map([
        ['relayed', withRelay.ready],
        ['refresh', withoutRedis.ready],
      ]);
      while (pending.size > 0) {
        for (const [name, base] of pending) {
          if (!(await feed(base)).includes(target)) {
            latencies[name as keyof typeof latencies].push(performance.now() - started);
            pending.delete(name);
          }
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const row = (name: string, xs: number[], base: number[]) => ({
      path: name,
      n: xs.length,
      'p50 ms': median(xs),
      'p99 ms': percentile(xs, 99),
      'max ms': Math.max(...xs),
      'p50 vs refresh': `${(median(xs) / median(base)).toFixed(2)}×`,
    });
    table(
      `A market closed on the exchange, until it is gone from a fresh feed (${CLOSURES} closures, polled every 10 ms)`,
      [
        row('catalogue refresh only (baseline: no Redis, every 5 s)', latencies.refresh, latencies.refresh),
        row(
          'lifecycle message → worker → Redis relay → replica reload',
          latencies.relayed,
          latencies.refresh,
        ),
      ],
    );
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await store.stop();
  }
}
