/**
 * Feed latency of the popularity ranker on a simulated exchange with features built: service time
 * of FeedService.getFeed (no HTTP), then HTTP throughput and latency with autocannon against the
 * same process, with a trivial endpoint (`/healthz`) measured in the same run as the baseline.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { MarketCatalog } from '../src/feed/catalog.js';
import { FeedService } from '../src/feed/feed-service.js';
import { MemorySnapshotStore } from '../src/feed/snapshots.js';
import { FEED_SIM, feedFixture, feedUser } from './feed-fixture.js';
import { median, percentile, table } from './harness.js';

const REQUESTS = 3_000;
const DURATION_S = 10;
const CONNECTIONS = 16;

async function serviceTimes(): Promise<{ times: number[]; interactions: number; openMarkets: number }> {
  const { store, interactions, openMarkets } = await feedFixture();
  const catalog = new MarketCatalog(store, { refreshMs: 5_000 });
  const feed = new FeedService(store, catalog, new MemorySnapshotStore(), {
    minHorizonMs: 30 * 60_000,
    maxPerEvent: 2,
    snapshotTtlMs: 900_000,
  });
  await catalog.reload();
  for (let i = 0; i < 200; i++) await feed.getFeed({ userId: feedUser(i), limit: 20, categories: [] });
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await feed.getFeed({ userId: feedUser(i), limit: 20, categories: [] });
    times.push(performance.now() - t);
  }
  await store.close();
  return { times, interactions, openMarkets };
}

async function startServer(): Promise<{ url: string; rssMb: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./feed-server.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`feed server exited with ${code}`)));
  });
  const { url, rssMb } = JSON.parse(first) as { url: string; rssMb: number };
  return { url, rssMb, stop: () => child.kill('SIGTERM') };
}

export default async function run(): Promise<void> {
  const { times, interactions, openMarkets } = await serviceTimes();
  const server = await startServer();
  const load = (path: string | undefined) => {
    let i = 0;
    return autocannon({
      url: `${server.url}${path ?? ''}`,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: path
        ? undefined
        : [{ setupRequest: (req) => ({ ...req, path: `/v1/users/${feedUser(i++)}/feed?limit=20` }) }],
    });
  };
  const trivial = await load('/healthz');
  const feedLoad = await load(undefined);
  server.stop();
  if (feedLoad.non2xx > 0 || trivial.non2xx > 0) throw new Error('non-2xx responses under load');

  table(
    `Feed service time (FeedService.getFeed, first page of 20, no HTTP): ${openMarkets} open markets, ${interactions.toLocaleString('en-US')} interactions, ${FEED_SIM.users} users + cold-start users, embedded store`,
    [
      {
        requests: REQUESTS,
        'p50 ms': median(times),
        'p90 ms': percentile(times, 90),
        'p99 ms': percentile(times, 99),
      },
    ],
  );
  table(
    `HTTP: server in its own process (RSS ${Math.round(server.rssMb)} MB), autocannon ${CONNECTIONS} connections × ${DURATION_S} s`,
    [
      {
        endpoint: 'GET /healthz (baseline)',
        'req/s': trivial.requests.average,
        'p50 ms': trivial.latency.p50,
        'p99 ms': trivial.latency.p99,
        'vs baseline': '1.00×',
      },
      {
        endpoint: 'GET /v1/users/{id}/feed?limit=20',
        'req/s': feedLoad.requests.average,
        'p50 ms': feedLoad.latency.p50,
        'p99 ms': feedLoad.latency.p99,
        'vs baseline': `${(feedLoad.requests.average / trivial.requests.average).toFixed(2)}×`,
      },
    ],
  );
}
