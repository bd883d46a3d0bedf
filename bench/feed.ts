/**
 * Feed latency on a simulated exchange with features built: service time of FeedService.getFeed
 * with the popularity ranker and no caches (every request reads the store), then HTTP throughput
 * and latency with autocannon against the API in its own process, serving a trained two-tower
 * model, with a trivial endpoint (`/healthz`) measured in the same run as the baseline.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/env.js';
import { silentLogger } from '../src/log/logger.js';
import { composeApi } from '../src/server/api-composition.js';
import { NoQueueJobRunner } from '../jobs/runners/no-queue-runner.js';
import { FEED_SIM, feedFixture, feedUser } from './feed-fixture.js';
import { median, percentile, table } from './harness.js';

const REQUESTS = 3_000;
const DURATION_S = 10;
const CONNECTIONS = 16;

async function serviceTimes(): Promise<{ times: number[]; interactions: number; openMarkets: number }> {
  const { store, stop, interactions, openMarkets } = await feedFixture();
  // The API's own composition, with no user cache, no model and no experiments.
  const { catalogue, feed, close } = await composeApi({
    config: { ...loadConfig({}), FEED_USER_CACHE_SECONDS: 0 },
    store,
    logger: silentLogger,
    jobs: new NoQueueJobRunner(),
    model: { current: () => undefined },
    experiments: {},
  });
  await catalogue.reload();
  for (let i = 0; i < 200; i++) await feed.getFeed({ userId: feedUser(i), limit: 20, categories: [] });
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await feed.getFeed({ userId: feedUser(i), limit: 20, categories: [] });
    times.push(performance.now() - t);
  }
  await close();
  await stop();
  return { times, interactions, openMarkets };
}

interface FeedServer {
  url: string;
  /** The first-page floor in the same process (feed-floor.ts), when Redis is reachable. */
  floorUrl: string | null;
  rssMb: number;
  model: string;
  redis: boolean;
  stop: () => void;
}

async function startServer(): Promise<FeedServer> {
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
  const started = JSON.parse(first) as Omit<FeedServer, 'stop'>;
  return { ...started, stop: () => child.kill('SIGTERM') };
}

interface Session {
  user?: string;
  cursor?: string | null;
}

export default async function run(): Promise<void> {
  const { times, interactions, openMarkets } = await serviceTimes();
  const server = await startServer();
  const load = (requests?: autocannon.Request[], base = server.url) =>
    autocannon({ url: `${base}/healthz`, connections: CONNECTIONS, duration: DURATION_S, requests });
  let i = 0;
  const trivial = await load();
  const firstPage = (): autocannon.Request => ({
    setupRequest: (req) => ({ ...req, path: `/v1/users/${feedUser(i++)}/feed?limit=20` }),
  });
  const firstPages = await load([firstPage()]);
  // The same users again, within FEED_USER_CACHE_SECONDS: their contexts are cached.
  i = 0;
  const returning = await load([firstPage()]);
  // Sessions: a first page, then the next page through its cursor (served from the snapshot).
  const sessions = await load([
    {
      setupRequest: (req, context: Session) => {
        context.user = feedUser(i++);
        return { ...req, path: `/v1/users/${context.user}/feed?limit=20` };
      },
      onResponse: (_status, body, context: Session) => {
        context.cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
      },
    },
    {
      setupRequest: (req, context: Session) => ({
        ...req,
        path: `/v1/users/${context.user}/feed?limit=20&cursor=${encodeURIComponent(context.cursor ?? '')}`,
      }),
    },
  ]);
  // Later pages alone, through cursors of first pages fetched beforehand: the cost of a feed page
  // without ranking (a snapshot read, the page's markets from the catalogue, the JSON response).
  const cursors: string[] = [];
  for (let u = 0; u < 500; u++) {
    const path = `/v1/users/${feedUser(u)}/feed?limit=20`;
    const body = (await (await fetch(`${server.url}${path}`)).json()) as { nextCursor: string | null };
    if (body.nextCursor) cursors.push(`${path}&cursor=${encodeURIComponent(body.nextCursor)}`);
  }
  let c = 0;
  const laterPages = await load([
    { setupRequest: (req) => ({ ...req, path: cursors[c++ % cursors.length]! }) },
  ]);
  // The same route with the context read and the ranking replaced by a constant list: no first
  // page can go faster in this process.
  const floor = server.floorUrl ? await load([firstPage()], server.floorUrl) : undefined;
  // The baseline again: this machine drifts between rows, so ratios are to the mean of both.
  const trivialAgain = await load();
  server.stop();
  const results = [
    trivial,
    firstPages,
    returning,
    sessions,
    laterPages,
    ...(floor ? [floor] : []),
    trivialAgain,
  ];
  for (const result of results)
    if (result.non2xx > 0 || result.errors > 0) throw new Error('failed responses under load');
  const baseline = (trivial.requests.average + trivialAgain.requests.average) / 2;

  table(
    `Feed service time (FeedService.getFeed, popularity ranker, no user cache, first page of 20, no HTTP): ${openMarkets} open markets, ${interactions.toLocaleString('en-US')} interactions, ${FEED_SIM.users} users + cold-start users, embedded store`,
    [
      {
        requests: REQUESTS,
        'p50 ms': median(times),
        'p90 ms': percentile(times, 90),
        'p99 ms': percentile(times, 99),
      },
    ],
  );
  const row = (endpoint: string, r: autocannon.Result) => ({
    endpoint,
    'req/s': r.requests.average,
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    'vs baseline': `${(r.requests.average / baseline).toFixed(2)}×`,
  });
  table(
    `HTTP: server in its own process (RSS ${Math.round(server.rssMb)} MB, model ${server.model}, snapshots ${server.redis ? 'in Redis' : 'in memory'}), autocannon ${CONNECTIONS} connections × ${DURATION_S} s per row; ratios to the mean of the two /healthz rows`,
    [
      row('GET /healthz (baseline, first)', trivial),
      row('feed first pages (two-tower; 1 in 3 users new)', firstPages),
      row('the same users again (contexts cached)', returning),
      row('feed sessions: first page + next page by cursor', sessions),
      row('later pages only (cursor: snapshot read, no ranking)', laterPages),
      ...(floor
        ? [row('floor for first pages: constant list, snapshot written, no context read or ranking', floor)]
        : []),
      row('GET /healthz (baseline, again)', trivialAgain),
    ],
  );
}
