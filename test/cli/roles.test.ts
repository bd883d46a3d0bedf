import { randomUUID } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';
import { sibylProcesses, waitForOutput } from '../helpers/sibyl-processes.js';
import { REDIS_URL } from '../helpers/redis.js';

const KEY = 'roles-test-key';
const FIXTURE = join(import.meta.dirname, '../import/fixtures/simulate-out');

const { sibyl, killAll } = sibylProcesses();
afterAll(killAll);

/** The exit code once it has exited (null when a signal ended it), however long ago that was. */
const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', resolve),
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
      const uri = await waitForOutput(store, /MONGODB_URI=(\S+)/);
      const env = {
        MONGODB_URI: uri,
        REDIS_URL,
        SIBYL_QUEUE_PREFIX: `roles-${randomUUID().slice(0, 8)}`,
        SIBYL_API_KEYS: KEY,
        PORT: '0',
        HOST: '127.0.0.1',
      };
      const api = sibyl(['serve'], env);
      const url = await waitForOutput(api, /"url":"([^"]+)".*"msg":"API listening"/);
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const trigger = async (job: string) =>
        (await (await fetch(`${url}/v1/jobs/${job}`, { method: 'POST', headers, body: '{}' })).json()) as {
          status: string;
        };
      const state = async (status: string) =>
        ((await (await fetch(`${url}${status}`, { headers })).json()) as { state: string }).state;
      const finished = async (status: string) => {
        let now = await state(status);
        for (let i = 0; i < 600 && now !== 'completed' && now !== 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          now = await state(status);
        }
        return now;
      };

      // The API never runs a job itself: without a worker a trigger waits.
      const early = await trigger('sync-markets');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await state(early.status)).toBe('waiting');
      const worker = sibyl(['worker'], env);
      await waitForOutput(worker, /"msg":"(worker started)"/);
      expect(await finished(early.status)).toBe('completed');

      // An import while the API serves and the worker runs a feature rebuild: all on one store.
      const importer = sibyl(['import', '--dir', FIXTURE], env);
      const rebuild = await trigger('rebuild-features');
      expect(await exited(importer)).toBe(0);
      expect(await finished(rebuild.status)).toBe('completed');
      // Features of what the import stored: a second rebuild, once the rows have settled (a
      // refresh leaves out the last 5 s of writes, which may still be arriving out of order).
      await new Promise((r) => setTimeout(r, 5_500));
      expect(await finished((await trigger('rebuild-features')).status)).toBe('completed');

      const client = new MongoClient(uri);
      const db = client.db('sibyl');
      expect(
        await db.collection('job_runs').countDocuments({ name: 'rebuild-features', status: 'completed' }),
      ).toBe(2);
      expect(await db.collection('interactions').countDocuments()).toBeGreaterThan(0);
      expect(await db.collection('user_features').countDocuments()).toBeGreaterThan(0);
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
      const uri = await waitForOutput(store, /MONGODB_URI=(\S+)/);
      const env = { MONGODB_URI: uri, SIBYL_API_KEYS: KEY, PORT: '0', HOST: '127.0.0.1' };
      const api = sibyl(['serve'], env);
      const url = await waitForOutput(api, /"url":"([^"]+)".*"msg":"API listening"/);
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const refused = await fetch(`${url}/v1/jobs/rebuild-features`, { method: 'POST', headers, body: '{}' });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/REDIS_URL/);
      // Ready, and saying that jobs cannot be handed on.
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toMatch(/degraded: REDIS_URL is not set/);

      const worker = sibyl(['worker', '--now', 'rebuild-features'], env);
      await waitForOutput(worker, /"msg":"(job triggered at start)"/);
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

describe('durability through the API', () => {
  it('keeps every batch the API acknowledged across kill -9 of the store, and none half-written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-kill-'));
    const port = String(await freePort());
    try {
      const startStore = () => sibyl(['store', '--data-dir', dir, '--port', port], {});
      let store = startStore();
      const uri = await waitForOutput(store, /MONGODB_URI=(\S+)/);
      const env = { MONGODB_URI: uri, SIBYL_API_KEYS: KEY, PORT: '0', HOST: '127.0.0.1' };
      const api = sibyl(['serve'], env);

      const url = await waitForOutput(api, /"url":"([^"]+)".*"msg":"API listening"/);
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
      const put = await fetch(`${url}/v1/markets`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({
          markets: [
            {
              ticker: 'KXKILL-1',
              eventTicker: 'KXKILL',
              title: 'Will the journal hold?',
              category: 'Tech & AI',
              status: 'open',
              closeTime: new Date(TEST_END.getTime() + 30 * DAY_MS).toISOString(),
            },
          ],
        }),
      });
      expect(put.status).toBe(200);

      // Batches of 50 interactions, each by its own new user, four in flight at a time; the store
      // is killed once 40 have been acknowledged.
      const BATCHES = 400;
      const batch = (b: number) =>
        Array.from({ length: 50 }, (_, i) => ({
          eventId: `kill-${b}-${i}`,
          userId: `killer-${b}`,
          ticker: 'KXKILL-1',
          type: 'view',
          ts: new Date(TEST_END.getTime() + b * 1000 + i).toISOString(),
        }));
      const post = (b: number) =>
        fetch(`${url}/v1/interactions`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ interactions: batch(b) }),
        }).then(
          (res) => res.status,
          () => 0,
        );
      const status = new Map<number, number>();
      let next = 0;
      let killed = false;
      const lane = async () => {
        while (next < BATCHES) {
          const b = next++;
          status.set(b, await post(b));
          if (!killed && [...status.values()].filter((s) => s === 200).length >= 40) {
            killed = true;
            store.kill('SIGKILL');
          }
          // After the kill, a few more batches find the store gone.
          if (killed && [...status.values()].filter((s) => s !== 200).length >= 8) return;
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
      const acknowledged = [...status].filter(([, s]) => s === 200).map(([b]) => b);
      const refused = [...status].filter(([, s]) => s !== 200).map(([b]) => b);
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
      expect(refused.length).toBeGreaterThanOrEqual(8);
      // Refused while the store is down: 503 with Retry-After, never a success nor a 500.
      expect(new Set(refused.map((b) => status.get(b)))).toEqual(new Set([503]));

      await exited(store);
      store = startStore();
      await waitForOutput(store, /MONGODB_URI=(\S+)/);
      const client = new MongoClient(uri);
      const db = client.db('sibyl');
      const stored = async (b: number) =>
        db.collection('interactions').countDocuments({ userId: `killer-${b}` });
      for (const b of acknowledged) {
        expect(await stored(b), `batch ${b}`).toBe(50);
        expect(await db.collection('users').countDocuments({ userId: `killer-${b}` }), `user of ${b}`).toBe(
          1,
        );
      }
      // A refused batch may have reached the store before it died, but only whole: one command.
      for (const b of refused) expect([0, 50], `batch ${b}`).toContain(await stored(b));

      // Resending what was refused completes it, storing nothing twice.
      for (let attempt = 0; attempt < 100; attempt++) {
        if ((await post(refused[0]!)) === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const b of refused) expect(await post(b)).toBe(200);
      const sent = [...acknowledged, ...refused];
      expect(await db.collection('interactions').countDocuments({ userId: /^killer-/ })).toBe(
        sent.length * 50,
      );
      expect(await db.collection('users').countDocuments({ userId: /^killer-/ })).toBe(sent.length);
      await client.close();
      await stopCleanly([api, store]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** A TCP port free on the loopback interface now (the store comes back on the same one). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
