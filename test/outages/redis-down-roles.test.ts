import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnAtTestEnd } from '../helpers/process-clock.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const BIN = join(import.meta.dirname, '../../bin/sibyl.js');
const KEY = 'outage-roles-key';
const upstream = new URL(REDIS_URL);

interface Role {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
}

const roles: Role[] = [];
afterAll(() => {
  for (const { child } of roles) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A `sibyl` process whose every output line (stdout and stderr) is kept. */
function sibyl(args: string[], env: Record<string, string>): Role {
  const { MONGODB_URI: _a, REDIS_URL: _b, ...base } = process.env;
  const child = spawnAtTestEnd(process.execPath, [BIN, ...args], { ...base, LOG_LEVEL: 'info', ...env });
  const role = { child, lines: [] as string[] };
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => role.lines.push(line));
  roles.push(role);
  return role;
}

/** The first capture of `pattern` in the role's output, waiting for it while the process lives. */
async function waitFor(role: Role, pattern: RegExp, from = 0): Promise<string> {
  for (;;) {
    for (const line of role.lines.slice(from)) {
      const match = pattern.exec(line);
      if (match) return match[1] ?? line;
    }
    if (role.child.exitCode !== null) throw new Error(`exited with ${role.child.exitCode} before ${pattern}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (role: Role, pattern: RegExp) => role.lines.filter((l) => pattern.test(l)).length;

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', resolve),
  );

describe('serve and worker while Redis is unreachable', () => {
  it('serve starts and refuses triggers; worker waits saying so once per retry, starts when Redis comes, and survives a Redis restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-outage-'));
    const prefix = testPrefix();
    const proxy = await new TcpProxy({ host: upstream.hostname, port: Number(upstream.port) }).start();
    try {
      await proxy.cut();
      const store = sibyl(['store', '--data-dir', dir, '--port', '0'], {});
      const uri = await waitFor(store, /MONGODB_URI=(\S+)/);
      const env = {
        MONGODB_URI: uri,
        REDIS_URL: proxy.url(),
        SIBYL_QUEUE_PREFIX: prefix,
        SIBYL_API_KEYS: KEY,
        PORT: '0',
        HOST: '127.0.0.1',
      };
      const api = sibyl(['serve'], env);
      const url = await waitFor(api, /"url":"([^"]+)".*"msg":"API listening"/);
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const trigger = (job: string) =>
        fetch(`${url}/v1/jobs/${job}`, { method: 'POST', headers, body: '{}' });

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toMatch(/job queue unreachable/);
      expect((await trigger('sync-markets')).status).toBe(503);

      // A worker waiting for Redis stops cleanly when asked to.
      const impatient = sibyl(['worker'], env);
      await waitFor(impatient, /"msg":"job queue: Redis unreachable, retrying"/);
      impatient.child.kill('SIGTERM');
      expect(await exited(impatient.child)).toBe(0);

      const worker = sibyl(['worker'], env);
      await waitFor(worker, /"attempt":2,.*"msg":"job queue: Redis unreachable, retrying"/);
      expect(count(worker, /worker started/)).toBe(0);

      await proxy.restore();
      await waitFor(worker, /"msg":"(worker started)"/);
      const state = async (status: string) =>
        ((await (await fetch(`${url}${status}`, { headers })).json()) as { state: string }).state;
      /** Triggers `job` once the API's queue is back, and waits for it to finish. */
      const runToEnd = async (job: string) => {
        let res = await trigger(job);
        for (let i = 0; res.status === 503 && i < 300; i++) {
          await new Promise((r) => setTimeout(r, 100));
          res = await trigger(job);
        }
        expect(res.status).toBe(202);
        const { status } = (await res.json()) as { status: string };
        let now = await state(status);
        for (let i = 0; i < 600 && now !== 'completed' && now !== 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          now = await state(status);
        }
        return now;
      };
      expect(await runToEnd('sync-markets')).toBe('completed');

      // Redis restarts: every connection drops and the port refuses for a while.
      const before = worker.lines.length;
      await proxy.cut();
      await waitFor(worker, /"msg":"job queue: Redis unreachable, retrying"/, before);
      await waitFor(worker, /"attempt":2,.*"msg":"job queue: Redis unreachable, retrying"/, before);
      await proxy.restore();
      await waitFor(worker, /"msg":"job queue: Redis reachable again"/, before);
      // One line per retry, from one connection: not one per connection of every queue's worker.
      const attempts = worker.lines
        .slice(before)
        .filter((l) => /Redis unreachable, retrying/.test(l))
        .map((l) => (JSON.parse(l) as { attempt: number }).attempt);
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
      expect(worker.lines.slice(before).filter((l) => /worker error/.test(l))).toEqual([]);
      expect(await runToEnd('sync-markets')).toBe('completed');

      for (const role of [store, api, worker])
        expect(role.lines.filter((l) => /Unhandled error event/.test(l))).toEqual([]);
      for (const role of [api, worker, store]) {
        role.child.kill('SIGTERM');
        expect(await exited(role.child)).toBe(0);
      }
    } finally {
      await proxy.close();
      await dropPrefix(prefix);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
