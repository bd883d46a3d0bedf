import { randomUUID } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnAtTestEnd } from '../helpers/process-clock.js';
import { REDIS_URL } from '../helpers/redis.js';

const BIN = join(import.meta.dirname, '../../bin/sibyl.js');
const KEY = 'roles-test-key';
const FIXTURE = join(import.meta.dirname, '../import/fixtures/simulate-out');

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function sibyl(args: string[], env: Record<string, string>) {
  const { MONGODB_URI: _a, REDIS_URL: _b, ...base } = process.env;
  const child = spawnAtTestEnd(process.execPath, [BIN, ...args], { ...base, LOG_LEVEL: 'info', ...env });
  children.push(child);
  return child;
}

/** Resolves with the first capture of `pattern` in the child's output (stdout and stderr). */
function waitFor(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => {
        const match = pattern.exec(line);
        if (match) resolve(match[1] ?? line);
      });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}`)));
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
  );

/** SIGTERM to each in turn (the store last): every one must exit 0. */
async function stopCleanly(roles: ChildProcessWithoutNullStreams[]): Promise<void> {
  for (const child of roles) {
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }
}

describe('roles as processes on one sibyl store', () => {
  it('serves, imports and runs jobs at the same time; a job triggered through the API runs on the worker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-roles-'));
    try {
      const store = sibyl(['store', '--data-dir', dir, '--port', '0'], {});
      const uri = await waitFor(store, /MONGODB_URI=(\S+)/);
      const env = {
        MONGODB_URI: uri,
        REDIS_URL,
        SIBYL_QUEUE_PREFIX: `roles-${randomUUID().slice(0, 8)}`,
        SIBYL_API_KEYS: KEY,
        PORT: '0',
        HOST: '127.0.0.1',
      };
      const api = sibyl(['serve'], env);
      const url = await waitFor(api, /"url":"([^"]+)".*"msg":"API listening"/);
      // An import while the API serves: a one-off process on the same store.
      const importer = sibyl(['import', '--dir', FIXTURE], env);
      expect(await exited(importer)).toBe(0);

      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const triggered = (await (
        await fetch(`${url}/v1/jobs/rebuild-features`, { method: 'POST', headers, body: '{}' })
      ).json()) as { status: string };
      const state = async () =>
        ((await (await fetch(`${url}${triggered.status}`, { headers })).json()) as { state: string }).state;
      // The API never runs a job itself: without a worker it waits.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await state()).toBe('waiting');

      const worker = sibyl(['worker'], env);
      await waitFor(worker, /"msg":"(worker started)"/);
      let now = await state();
      for (let i = 0; i < 300 && now !== 'completed' && now !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        now = await state();
      }
      expect(now).toBe('completed');

      const client = new MongoClient(uri);
      const db = client.db('sibyl');
      expect(
        await db.collection('job_runs').countDocuments({ name: 'rebuild-features', status: 'completed' }),
      ).toBe(1);
      expect(await db.collection('interactions').countDocuments()).toBeGreaterThan(0);
      await client.close();

      await stopCleanly([api, worker, store]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('without Redis: the API refuses job triggers saying why, and the worker runs jobs in its own process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-roles-'));
    try {
      const store = sibyl(['store', '--data-dir', dir, '--port', '0'], {});
      const uri = await waitFor(store, /MONGODB_URI=(\S+)/);
      const env = { MONGODB_URI: uri, SIBYL_API_KEYS: KEY, PORT: '0', HOST: '127.0.0.1' };
      const api = sibyl(['serve'], env);
      const url = await waitFor(api, /"url":"([^"]+)".*"msg":"API listening"/);
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const refused = await fetch(`${url}/v1/jobs/rebuild-features`, { method: 'POST', headers, body: '{}' });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/REDIS_URL/);
      // Ready, and saying that jobs cannot be handed on.
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toMatch(/degraded: REDIS_URL is not set/);

      const worker = sibyl(['worker', '--now', 'rebuild-features'], env);
      await waitFor(worker, /"msg":"(job triggered at start)"/);
      const client = new MongoClient(uri);
      const runs = client.db('sibyl').collection('job_runs');
      let completed = 0;
      for (let i = 0; i < 300 && completed === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        completed = await runs.countDocuments({ name: 'rebuild-features', status: 'completed' });
      }
      expect(completed).toBe(1);
      await client.close();
      await stopCleanly([api, worker, store]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
