import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/env.js';
import { issueUserToken } from '../../util/user-token.js';
import { Supervisor, SupervisorStopping } from '../demo/supervisor.js';

/** Small enough to be serving within seconds, large enough for every category and real personalization. */
const DEMO = { seed: 42, users: 2_000, days: 14, traffic: 5 };

/** Whether Redis answers at `url` within a second: then the worker runs jobs through BullMQ. */
async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A TCP port free on the loopback interface now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves with the first capture of `pattern` in `role`'s output. */
function watch(pattern: RegExp): { onLine: (line: string) => void; found: Promise<string> } {
  let resolve!: (value: string) => void;
  const found = new Promise<string>((r) => (resolve = r));
  return {
    onLine: (line) => {
      const match = pattern.exec(line);
      if (match) resolve(match[1] ?? line);
    },
    found,
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The whole system on embedded defaults: sibyl store, a simulated exchange, API on PORT (8080) and worker, as separate processes',
    )
    .option('--users <n>', 'simulated users', String(DEMO.users))
    .option('--days <n>', 'simulated days', String(DEMO.days))
    .option('--seed <n>', 'simulator seed', String(DEMO.seed))
    .option(
      '--traffic <rate>',
      'feed requests per second of the simulated traders (0: none)',
      String(DEMO.traffic),
    )
    .action(async (opts: { users: string; days: string; seed: string; traffic: string }) => {
      const started = Date.now();
      const config = loadConfig();
      const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
      // Self-contained: a throwaway data directory and models directory, never a configured MongoDB.
      const dataDir = await mkdtemp(path.join(tmpdir(), 'sibyl-demo-data-'));
      const modelsDir = await mkdtemp(path.join(tmpdir(), 'sibyl-demo-models-'));
      const apiKey = config.SIBYL_API_KEYS[0] ?? `demo-${randomBytes(8).toString('hex')}`;
      // Signs the user token the demo prints, so a browser tab can open that user's feed stream.
      const tokenSecret = config.SIBYL_USER_TOKEN_SECRET ?? randomBytes(32).toString('hex');
      const redisUrl = config.REDIS_URL ?? 'redis://127.0.0.1:6379';
      const withRedis = await redisAnswers(redisUrl);
      const { MONGODB_URI: _ignored, REDIS_URL: _ignored2, ...inherited } = process.env;

      const supervisor = new Supervisor(async () => {
        await rm(dataDir, { recursive: true, force: true });
        await rm(modelsDir, { recursive: true, force: true });
      });
      // However the demo ends (a second Ctrl-C, a crash), nothing outlives it: not its children, not
      // its throwaway directories (a model a night adds up).
      process.once('exit', () => {
        supervisor.killAll();
        for (const dir of [dataDir, modelsDir]) rmSync(dir, { recursive: true, force: true });
      });
      supervisor.stopOnSignals();
      try {
        await startRoles();
      } catch (err) {
        if (err instanceof SupervisorStopping) return; // the signal handler exits
        // Nothing may outlive a failed start: children would keep this process alive.
        await supervisor.stop();
        throw err;
      }

      async function startRoles(): Promise<void> {
        // A port of its own, kept across restarts: the API and worker reconnect to the same address.
        const storePort = await freePort();
        const storeReady = watch(/MONGODB_URI=(\S+)/);
        supervisor.start({
          role: 'store',
          args: ['store', '--data-dir', dataDir, '--port', String(storePort)],
          env: inherited,
          onLine: storeReady.onLine,
        });
        const uri = await storeReady.found;
        const env: NodeJS.ProcessEnv = {
          ...inherited,
          MONGODB_URI: uri,
          SIBYL_API_KEYS: apiKey,
          SIBYL_USER_TOKEN_SECRET: tokenSecret,
          SIBYL_MODELS_DIR: modelsDir,
          // Models of a throwaway store are as temporary as it is; the API notices a promotion soon.
          MODEL_RELOAD_POLL_SECONDS: String(Math.min(config.MODEL_RELOAD_POLL_SECONDS, 2)),
          ...(withRedis
            ? { REDIS_URL: redisUrl, SIBYL_QUEUE_PREFIX: `sibyl-demo-${randomBytes(4).toString('hex')}` }
            : {}),
        };

        // One-off steps, in order: the simulated exchange, then its features.
        const demoUser = watch(/try (user-\d+)/);
        await supervisor.step(
          {
            role: 'sim',
            args: ['simulate', '--to-store', '--seed', opts.seed, '--users', opts.users, '--days', opts.days],
            env,
            onLine: demoUser.onLine,
          },
          'the simulated exchange could not be loaded',
        );
        await supervisor.step(
          { role: 'feat', args: ['features', '--full'], env },
          'the feature build failed',
        );

        // The exchange, run forward from now with the simulator's seed: the same catalogue the
        // history was simulated on, now moving. The worker follows its stream.
        const exchangeReady = watch(/MARKET_STREAM_URL=(\S+)/);
        const syncReady = watch(/MARKET_SYNC_URL=(\S+)/);
        supervisor.start({
          role: 'exch',
          args: [
            'exchange',
            '--seed',
            opts.seed,
            '--history-days',
            opts.days,
            '--port',
            String(await freePort()),
          ],
          env: inherited,
          onLine: (line) => {
            exchangeReady.onLine(line);
            syncReady.onLine(line);
          },
        });
        const live = { MARKET_STREAM_URL: await exchangeReady.found, MARKET_SYNC_URL: await syncReady.found };

        const listening = watch(/"url":"([^"]+)".*"msg":"API listening"/);
        supervisor.start({ role: 'api', args: ['serve'], env, onLine: listening.onLine });
        const url = await listening.found;
        // Jobs run on the worker: BullMQ on Redis, or its own schedules without. The nightly chain
        // runs once now (features → train → evaluate → promote): feeds are served by popularity
        // until its model is promoted, about a minute later. A restarted worker does not repeat it.
        supervisor.start({
          role: 'worker',
          args: ['worker'],
          firstStartArgs: ['--now', 'nightly'],
          env: { ...env, ...live },
        });
        // Traders of the simulated population use the API as the exchange's app would, for as long
        // as the demo runs (a day at most, then they start again).
        const rate = Number(opts.traffic);
        if (rate > 0)
          supervisor.start({
            role: 'trade',
            args: [
              'traffic',
              '--api',
              url,
              '--users',
              opts.users,
              '--days',
              opts.days,
              '--seed',
              opts.seed,
              '--rate',
              String(rate),
              '--duration',
              '86400',
            ],
            env,
          });
        const user = await demoUser.found;
        const example = `${url}/v1/users/${user}/feed?limit=20`;
        const token = issueUserToken(tokenSecret, user, new Date(Date.now() + 86_400_000));
        const stream = `${url}/v1/users/${user}/feed/stream?token=${token}`;
        console.log(
          `\nSibyl demo ready in ${seconds()} s (store, exchange, api, worker${
            Number(opts.traffic) > 0 ? ', traders' : ''
          } as processes; jobs ${
            withRedis
              ? 'on the worker through Redis'
              : "on the worker's schedules: Redis is not reachable, so the API cannot trigger jobs"
          }). Try (as that user, with their token):\n  curl -H 'Authorization: Bearer ${token}' '${example}'\n` +
            `Live updates of that user's feed (Server-Sent Events; the user token is valid for a day):\n  curl -N '${stream}'\n\n` +
            `Write endpoints accept: Authorization: Bearer ${apiKey}\n` +
            `Dashboard for product managers: ${url}/dashboard (log in with the key above)\n` +
            `Inspect the data: mongosh ${uri}sibyl\n` +
            'The two-tower model is training on the worker; feeds switch to it ("ranker": "two-tower") once it is promoted.\n',
        );
      }
    });
}
