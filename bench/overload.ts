/**
 * `npm run bench -- overload`: 1,000 connections asking for feeds as fast as they can, against the
 * API with load shedding off (the baseline, SIBYL_MAX_IN_FLIGHT=0) and on, each in its own process
 * on the same fixture. Meanwhile two clients probe /healthz every 50 ms, as an orchestrator would: one
 * on the main port, one on the probes' own listener (SIBYL_PROBE_PORT). Reported: feeds answered
 * (200) and shed (503) per second, the latency of each, and the probes' (with how many answered).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { fmt, median, percentile, table } from './harness.js';

const CONNECTIONS = 1_000;
const DURATION_S = 10;
const LIMITS = [0, 64, 256];

async function startServer(
  maxInFlight: number,
): Promise<{ url: string; probeUrl: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./overload-server.ts', import.meta.url).pathname, String(maxInFlight)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`overload server exited with ${code}`)));
  });
  const { url, probeUrl } = JSON.parse(first) as { url: string; probeUrl: string };
  return { url, probeUrl, stop: () => child.kill('SIGTERM') };
}

/**
 * /healthz latencies (ms), one request every 50 ms for `seconds`, from a process of its own so that
 * the load generator's busy event loop does not delay the probe's own timers and reads.
 */
async function probe(url: string, seconds: number): Promise<number[]> {
  const script = `
    const times = [];
    const end = Date.now() + ${seconds * 1000};
    while (Date.now() < end) {
      const start = performance.now();
      await fetch(${JSON.stringify(`${url}/healthz`)}).then((r) => r.arrayBuffer());
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(JSON.stringify(times));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => code && reject(new Error(`probe exited with ${code}`)));
  });
  return JSON.parse(line) as number[];
}

export default async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  let baselineProbeP99 = NaN;
  for (const limit of LIMITS) {
    const server = await startServer(limit);
    try {
      let i = 0;
      const byStatus = new Map<number, number[]>();
      let resolveLoad!: (r: autocannon.Result) => void;
      let rejectLoad!: (e: unknown) => void;
      const load = new Promise<autocannon.Result>((resolve, reject) => {
        resolveLoad = resolve;
        rejectLoad = reject;
      });
      const instance = autocannon(
        {
          url: server.url,
          connections: CONNECTIONS,
          duration: DURATION_S,
          timeout: 30,
          requests: [
            {
              method: 'GET',
              setupRequest: (req) => ({ ...req, path: `/v1/users/user-${1 + (i++ % 1000)}/feed` }),
            },
          ],
        },
        (err, result) => (err ? rejectLoad(err) : resolveLoad(result)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        const list = byStatus.get(statusCode) ?? [];
        list.push(responseTime);
        byStatus.set(statusCode, list);
      });
      const [probed, ownPort, result] = await Promise.all([
        probe(server.url, DURATION_S),
        probe(server.probeUrl, DURATION_S),
        load,
      ]);
      const ok = byStatus.get(200) ?? [];
      const shed = byStatus.get(503) ?? [];
      const probeP99 = percentile(probed, 99);
      if (limit === 0) baselineProbeP99 = probeP99;
      rows.push({
        SIBYL_MAX_IN_FLIGHT: limit === 0 ? '0 (off, baseline)' : limit,
        'feeds 200/s': ok.length / DURATION_S,
        'feed 200 p50 ms': median(ok),
        'feed 200 p99 ms': percentile(ok, 99),
        'feed 200 max ms': Math.max(0, ...ok),
        '503/s': shed.length / DURATION_S,
        '503 p99 ms': percentile(shed, 99),
        'errors/timeouts': result.errors + result.timeouts,
        '/healthz p50 ms': median(probed),
        '/healthz p99 ms': probeP99,
        '/healthz p99 vs off': limit === 0 ? '1.00×' : `${fmt(probeP99 / baselineProbeP99)}×`,
        '/healthz answered': probed.length,
        'probe port p50 ms': median(ownPort),
        'probe port p99 ms': percentile(ownPort, 99),
        'probe port answered': ownPort.length,
      });
    } finally {
      server.stop();
    }
  }
  table(
    `Overload: ${CONNECTIONS} connections × ${DURATION_S} s of feed first pages (1,000 users, 7 days simulated, no model), /healthz probed every 50 ms on the main port and on the probe port`,
    rows,
  );
}
