import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fmt, percentile, table } from './harness.js';

/**
 * `npm run bench -- demo [--seconds N]`: `sibyl demo` as a newcomer starts it, then a client asking
 * for the printed feed every 100 ms while the nightly chain and refreshes run on the worker, and
 * `/healthz` of the same API alongside as the baseline. Reports latency percentiles and the API's
 * event-loop lag (its own Prometheus gauge) at the end.
 */
const BIN = join(import.meta.dirname, '../bin/sibyl.js');

export default async function run(): Promise<void> {
  const flag = process.argv.indexOf('--seconds');
  const seconds = flag > 0 ? Number(process.argv[flag + 1]) : 180;
  const demo = spawn(process.execPath, [BIN, 'demo'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  });
  demo.stderr.resume();
  const example = await new Promise<string>((resolve, reject) => {
    createInterface({ input: demo.stdout }).on('line', (line) => {
      const match = /curl '([^']+)'/.exec(line);
      if (match) resolve(match[1]!);
    });
    demo.once('exit', (code) => reject(new Error(`demo exited with ${code}`)));
  });
  const base = new URL(example).origin;
  const feed: number[] = [];
  const health: number[] = [];
  const rankers = new Map<string, number>();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const tick = Date.now();
    const t0 = performance.now();
    const body = (await (await fetch(example)).json()) as { ranker?: string };
    feed.push(performance.now() - t0);
    rankers.set(body.ranker ?? '?', (rankers.get(body.ranker ?? '?') ?? 0) + 1);
    const t1 = performance.now();
    await (await fetch(`${base}/healthz`)).text();
    health.push(performance.now() - t1);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
  }
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const lag = /^sibyl_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(metrics)?.[1];
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
}
