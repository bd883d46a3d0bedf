/**
 * `npm run bench -- stream [--subscribers 10000]`: live feed pushes to many WebSocket subscribers.
 * Real processes: `sibyl store`, two `sibyl serve` replicas on one Redis (a writer taking the
 * market updates, a streamer holding the subscribers) and the subscribers' own process
 * (bench/stream-clients.ts). Subscribers are spread over ten categories (each follows a feed
 * filtered to one), so a burst of market messages in one category touches 10% of them: three
 * lifecycle changes (closed, paused, settled) and seven price moves of 10¢, on markets of that
 * category's first page, sent at once as market PUTs to the writer. Latency runs from each PUT's
 * sending to each subscriber's receipt of its event, through the store, the Redis relay, the
 * streamer's catalogue refresh by tickers, its event log appends (Redis) and the socket. Memory per
 * idle connection is the streamer's resident memory grown by subscribing them all; CPU is the
 * streamer's over the burst. Baseline in the same run: one subscriber.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSibylClient } from '../src/client/index.js';
import { median, percentile, table } from './harness.js';
import { startSibyl, type SibylProcess } from './sibyl-process.js';
import { startStoreProcess } from './store-process.js';
import { DAY_MS } from '../src/util/durations.js';

const REDIS_URL = process.env.SIBYL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'bench';
const CATEGORIES = 10;
const MARKETS_PER_CATEGORY = 30;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory (kB) and CPU time (ms) of a process, from /proc. */
function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
}

interface Scenario {
  subscribers: number;
  expected: number;
  delivered: number;
  /** Events the streamer could not log (so never sent). */
  lost: number;
  latencies: number[];
  kbPerConnection: number;
  cpuMs: number;
  burstMs: number;
}

/** A Prometheus gauge of the streamer (summed over its labels). */
async function gauge(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

async function scenario(writer: string, streamer: SibylProcess, subscribers: number): Promise<Scenario> {
  const tag = `s${subscribers}x${randomUUID().slice(0, 4)}`;
  const category = (k: number) => `Cat${k}${tag}`;
  const closeTime = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const markets = Array.from({ length: CATEGORIES * MARKETS_PER_CATEGORY }, (_, i) => ({
    ticker: `${tag}-M${i}`,
    eventTicker: `${tag}-E${i}`,
    title: `Market ${i}`,
    category: category(i % CATEGORIES),
    status: 'open',
    openTime: new Date(Date.now() - DAY_MS).toISOString(),
    closeTime,
    volume24h: 10_000 - i,
    lastPrice: 0.5,
  }));
  const client = createSibylClient({ baseUrl: writer, apiKey: KEY, timeoutMs: 60_000 });
  const put = async (changed: typeof markets) => {
    const { data, error, response } = await client.api.PUT('/v1/markets', { body: { markets: changed } });
    if (!data) throw new Error(`PUT /v1/markets: ${response.status} ${JSON.stringify(error)}`);
    return data;
  };
  await put(markets);
  await sleep(500); // relayed to the streamer

  // Every subscriber's feed, served by the writer (32 requests at a time): snapshots are in Redis, so
  // the streamer's memory grows by the subscriptions alone.
  const subs: [string, string][] = [];
  let firstPage0: string[] = [];
  const users = Array.from({ length: subscribers }, (_, j) => j);
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let j = users.shift(); j !== undefined; j = users.shift()) {
        const feed = await client.getFeed(`${tag}-u${j}`, {
          limit: 20,
          categories: [category(j % CATEGORIES)],
        });
        subs.push([`${tag}-u${j}`, feed.feedId]);
        if (j === 0) firstPage0 = feed.items.map((i) => i.ticker);
      }
    }),
  );

  const pid = streamer.child.pid!;
  await sleep(1000);
  const rssBefore = rssKb(pid);
  const clients = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'stream-clients.ts')],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const replies = createInterface({ input: clients.stdout });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => replies.once('line', (l) => resolve(JSON.parse(l))));
  clients.stdin.write(`${JSON.stringify({ url: streamer.ready, apiKey: KEY, subs })}\n`);
  const ready = await next();
  if (ready.failed) throw new Error(`${String(ready.failed)} subscriptions failed`);
  await sleep(2000);
  const kbPerConnection = (rssKb(pid) - rssBefore) / subscribers;

  // The burst: every message at once, each its own PUT.
  const [closed, paused, settled, ...moved] = firstPage0.slice(0, 10);
  const byTicker = new Map(markets.map((m) => [m.ticker, m]));
  const messages = [
    { ...byTicker.get(closed!)!, status: 'closed' },
    { ...byTicker.get(paused!)!, status: 'paused' },
    { ...byTicker.get(settled!)!, status: 'settled' },
    ...moved.map((t) => ({ ...byTicker.get(t)!, lastPrice: 0.6 })),
  ];
  const affected = Math.ceil(subscribers / CATEGORIES);
  const expected = affected * messages.length;
  const cpuBefore = cpuMs(pid);
  const sentAt = new Map<string, number>();
  const started = now();
  await Promise.all(
    messages.map((m) => {
      sentAt.set(m.ticker, now());
      return put([m]);
    }),
  );
  // Until every affected subscriber has every event (or nothing more comes for 5 s).
  let count = 0;
  let quietSince = now();
  while (count < expected && now() - quietSince < 5000) {
    await sleep(50);
    clients.stdin.write('count\n');
    const seen = (await next()).count as number;
    if (seen > count) quietSince = now();
    count = seen;
  }
  const burstMs = now() - started;
  const cpu = cpuMs(pid) - cpuBefore;
  const lost = await gauge(streamer.ready, 'sibyl_push_append_failures');
  clients.stdin.write('report\n');
  const { arrivals } = (await next()) as { arrivals: [number, string, string][] };
  const latencies = arrivals
    .filter(([, ticker, type]) => sentAt.has(ticker) && (type === 'market_closed' || type === 'price_moved'))
    .map(([t, ticker]) => t - sentAt.get(ticker)!);
  return {
    subscribers,
    expected,
    lost,
    delivered: latencies.length,
    latencies,
    kbPerConnection,
    cpuMs: cpu,
    burstMs,
  };
}

export default async function run(): Promise<void> {
  const subscribers = arg('subscribers', 10_000);
  const store = await startStoreProcess();
  const processes: SibylProcess[] = [];
  try {
    const env = {
      MONGODB_URI: store.uri,
      SIBYL_API_KEYS: KEY,
      REDIS_URL,
      SIBYL_QUEUE_PREFIX: `sibyl-bench-${randomUUID().slice(0, 8)}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const listening = /"url":"([^"]+)".*"msg":"API listening"/;
    const writer = await startSibyl(['serve'], { ...env, LOG_LEVEL: 'info' }, listening);
    const streamer = await startSibyl(['serve'], { ...env, LOG_LEVEL: 'info' }, listening);
    processes.push(writer, streamer);
    const baseline = await scenario(writer.ready, streamer, 1);
    const many = await scenario(writer.ready, streamer, subscribers);
    const row = (s: Scenario) => ({
      subscribers: s.subscribers,
      'events delivered / expected': `${s.delivered} / ${s.expected}`,
      'append failures': s.lost,
      'p50 ms': median(s.latencies),
      'p99 ms': percentile(s.latencies, 99),
      'max ms': Math.max(...s.latencies),
      'p99 vs 1 subscriber': `${(percentile(s.latencies, 99) / percentile(baseline.latencies, 99)).toFixed(1)}×`,
      'kB per idle connection': s.subscribers > 1 ? s.kbPerConnection : '—',
      'streamer CPU ms (burst)': s.cpuMs,
      'burst until last event ms': s.burstMs,
    });
    table(
      `Live pushes: 10 market messages (3 lifecycle, 7 price) touching 10% of the subscribers, from the market PUT to the subscriber's socket`,
      [row(baseline), row(many)],
    );
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await store.stop();
  }
}
