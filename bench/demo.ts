import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createSibylClient } from '../src/client/index.js';
import { fmt, percentile, table } from './harness.js';

/**
 * `npm run bench -- demo [--seconds N]`: `sibyl demo` as a newcomer starts it, then a client asking
 * for the printed feed every 100 ms while the nightly chain and refreshes run on the worker, and
 * `/healthz` of the same API alongside as the baseline. Reports latency percentiles, the API's
 * event-loop lag (its own Prometheus gauge), each process's share of the CPU over the window (from
 * /proc), and the shipped experiment's results as the simulated traders left them.
 */
const BIN = join(import.meta.dirname, '../bin/sibyl.js');

export default async function run(): Promise<void> {
  const flag = process.argv.indexOf('--seconds');
  const seconds = flag > 0 ? Number(process.argv[flag + 1]) : 180;
  const demo = spawn(process.execPath, [BIN, 'demo'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  });
  demo.stderr.resume();
  const pids = new Map<string, number>();
  let apiKey = '';
  // The feed it prints, read with the demo user's token it prints beside it.
  const printed = new Promise<{ token: string; example: string }>((resolve, reject) => {
    createInterface({ input: demo.stdout }).on('line', (line) => {
      const started = /^(\w+)\s*\| started \(pid (\d+)\)$/.exec(line);
      if (started) pids.set(started[1]!, Number(started[2]));
      const key = /^Write endpoints accept: Authorization: Bearer (\S+)/.exec(line);
      if (key) apiKey = key[1]!;
      const match = /curl -H 'Authorization: Bearer (\S+)' '([^']+)'/.exec(line);
      if (match) resolve({ token: match[1]!, example: match[2]! });
    });
    demo.once('exit', (code) => reject(new Error(`demo exited with ${code}`)));
  });
  const { token, example } = await printed;
  const cpuAtReady = cpuSeconds(pids);
  const readyAt = performance.now();
  const url = new URL(example);
  const base = url.origin;
  const userId = decodeURIComponent(/\/v1\/users\/([^/]+)\/feed/.exec(url.pathname)![1]!);
  const asUser = createSibylClient({ baseUrl: base, userToken: token });
  const feed: number[] = [];
  const health: number[] = [];
  const rankers = new Map<string, number>();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const tick = Date.now();
    const t0 = performance.now();
    const body = await asUser.getFeed(userId, { limit: 20 });
    feed.push(performance.now() - t0);
    rankers.set(body.ranker ?? '?', (rankers.get(body.ranker ?? '?') ?? 0) + 1);
    const t1 = performance.now();
    await asUser.api.GET('/healthz');
    health.push(performance.now() - t1);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
  }
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const lag = /^sibyl_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(metrics)?.[1];
  const window = (performance.now() - readyAt) / 1000;
  const cpuAtEnd = cpuSeconds(pids);
  // While the demo's API key is printed after the feed line, wait for it.
  while (!apiKey) await new Promise((r) => setTimeout(r, 50));
  const asServer = createSibylClient({ baseUrl: base, apiKey });
  const { data } = await asServer.api.GET('/v1/experiments/{key}/results', {
    params: { path: { key: 'ranker-two-tower-vs-popularity' } },
  });
  const results = data as unknown as ExperimentResults;
  demo.kill('SIGTERM');
  await new Promise((r) => demo.once('exit', r));
  const row = (name: string, xs: number[]) => ({
    request: name,
    n: xs.length,
    'p50 ms': percentile(xs, 50),
    'p99 ms': percentile(xs, 99),
    'max ms': Math.max(...xs),
  });
  table(`sibyl demo, first ${seconds} s after ready (a request every 100 ms)`, [
    row('feed (limit 20)', feed),
    row('/healthz (baseline)', health),
  ]);
  console.log(
    `\nAPI event-loop lag max: ${lag ? fmt(Number(lag) * 1000) : '?'} ms; rankers served: ${[...rankers].map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );
  const shares = [...cpuAtEnd].map(([role, end]) => ({
    process: role,
    'CPU s': end - (cpuAtReady.get(role) ?? 0),
    '% of one core': (100 * (end - (cpuAtReady.get(role) ?? 0))) / window,
  }));
  const total = shares.reduce((sum, r) => sum + r['CPU s'], 0);
  table(`CPU per process over the ${Math.round(window)} s after ready (2 cores: 200% is the machine)`, [
    ...shares,
    { process: 'all', 'CPU s': total, '% of one core': (100 * total) / window },
  ]);
  table(
    'The shipped experiment after the window',
    results.variations.map((v) => ({
      variation: v.variationId,
      'exposed users': v.exposedUsers,
      impressions: v.impressions,
      clicks: v.clicks,
      trades: v.trades,
      CTR: v.ctr,
      'trade conversion': v.tradeConversion,
    })),
  );
  for (const c of results.comparisons) {
    const r = c.result;
    console.log(
      `${c.metric}, variation ${c.variationId} vs control: lift ${fmt(100 * (r.relativeLift ?? NaN))}% [${fmt(100 * (r.confidenceInterval?.lower ?? NaN))}, ${fmt(100 * (r.confidenceInterval?.upper ?? NaN))}], p ${fmt(r.pValue ?? NaN, 4)}`,
    );
  }
  console.log(`sample ratio mismatch: ${JSON.stringify(results.sampleRatioMismatch)}`);
}

interface ExperimentResults {
  variations: {
    variationId: string;
    exposedUsers: number;
    impressions: number;
    clicks: number;
    trades: number;
    ctr: number;
    tradeConversion: number;
  }[];
  comparisons: {
    variationId: string;
    metric: string;
    result: {
      relativeLift?: number;
      confidenceInterval?: { lower: number; upper: number };
      pValue?: number;
    };
  }[];
  sampleRatioMismatch: unknown;
}

/** CPU seconds (user + system) each process has used so far, from /proc (a process gone counts as 0). */
function cpuSeconds(pids: Map<string, number>): Map<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const out = new Map<string, number>();
  for (const [role, pid] of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(role, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      out.set(role, 0);
    }
  }
  return out;
}
