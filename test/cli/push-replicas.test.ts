import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueUserToken } from '../../src/util/user-token.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';
import { cryptoAndSportsMarkets } from '../helpers/markets.js';
import { sibylProcesses, waitForOutput } from '../helpers/sibyl-processes.js';
import { SocketClient } from '../helpers/push-clients.js';
import { REDIS_URL, dropPrefix } from '../helpers/redis.js';

const KEY = 'replicas-test-key';
const SECRET = 'replicas-test-secret-0123456789abcdefghij';
const PREFIX = `push-replicas-${randomUUID().slice(0, 8)}`;

const { sibyl, killAll, children } = sibylProcesses();
const clients: SocketClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  killAll();
  await dropPrefix(PREFIX);
});

const markets = cryptoAndSportsMarkets(20, {
  volume24h: (i) => 10_000 - i * 300,
  openTime: new Date(TEST_END.getTime() - 10 * DAY_MS).toISOString(),
}).map((m) => ({ ...m, lastPrice: 0.5 }));

describe('pushes with two API processes behind one Redis', () => {
  it('both replicas deliver a market change made through one of them, and a client resumes on the other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sibyl-push-replicas-'));
    try {
      const store = sibyl(['store', '--data-dir', dir, '--port', '0'], {});
      const uri = await waitForOutput(store, /MONGODB_URI=(\S+)/);
      const env = {
        MONGODB_URI: uri,
        REDIS_URL,
        SIBYL_QUEUE_PREFIX: PREFIX,
        SIBYL_API_KEYS: KEY,
        SIBYL_USER_TOKEN_SECRET: SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
      };
      const listening = /"url":"([^"]+)".*"msg":"API listening"/;
      const [a, b] = [sibyl(['serve'], env), sibyl(['serve'], env)];
      const [urlA, urlB] = await Promise.all([waitForOutput(a, listening), waitForOutput(b, listening)]);
      const put = async (changed: typeof markets) => {
        const res = await fetch(`${urlA}/v1/markets`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ markets: changed }),
        });
        expect(res.status).toBe(200);
      };
      await put(markets);
      // Feeds served by replica A: their snapshots are in Redis, so B can watch them.
      const feedOf = async (userId: string) =>
        (await (
          await fetch(`${urlA}/v1/users/${userId}/feed?limit=5`, {
            headers: { authorization: `Bearer ${KEY}` },
          })
        ).json()) as {
          feedId: string;
          items: { ticker: string }[];
        };
      const [feed1, feed2] = [await feedOf('user-1'), await feedOf('user-2')];
      const expires = new Date(TEST_END.getTime() + 2 * DAY_MS);
      const subscribe = async (url: string, userId: string, feedId: string, extra = {}) => {
        const client = await SocketClient.open(url, issueUserToken(SECRET, userId, expires));
        clients.push(client);
        const reply = await client.command(1, 'subscribe', {
          channels: ['feed'],
          user_id: userId,
          feed_id: feedId,
          ...extra,
        });
        expect(reply.type).toBe('subscribed');
        return client;
      };
      const onA = await subscribe(urlA, 'user-1', feed1.feedId);
      const onB = await subscribe(urlB, 'user-2', feed2.feedId);

      const closing = feed1.items[0]!.ticker;
      expect(feed2.items.map((i) => i.ticker)).toContain(closing);
      await put([{ ...markets.find((m) => m.ticker === closing)!, status: 'closed' }]);
      for (const client of [onA, onB])
        expect(await client.nextEvent((e) => e.type === 'market_closed', 'market_closed')).toMatchObject({
          ticker: closing,
          status: 'closed',
          seq: 1,
        });

      // user-1 drops off A; a price moves meanwhile; they come back through B and get exactly it.
      onA.close();
      await onA.waitClosed();
      const moving = feed1.items[1]!.ticker;
      await put([{ ...markets.find((m) => m.ticker === moving)!, lastPrice: 0.65 }]);
      // B sees the move too (for user-2), so the change has reached both replicas.
      await onB.nextEvent((e) => e.type === 'price_moved', 'price_moved on B');
      const back = await subscribe(urlB, 'user-1', feed1.feedId, { resume_from: 1 });
      const replayed = await back.nextEvent((e) => e.seq === 2, 'the missed event');
      expect(replayed).toMatchObject({ type: 'price_moved', ticker: moving, from: '0.5000', to: '0.6500' });
      // A (still watching for a reconnect) and B compute the next move alike: logged once.
      await put([{ ...markets.find((m) => m.ticker === moving)!, lastPrice: 0.8 }]);
      await back.nextEvent((e) => e.seq === 3, 'the next move');
      await onB.nextEvent((e) => e.type === 'price_moved' && e.to === '0.8000', 'the next move on B');
      expect(back.events().map((e) => [e.seq, e.type, e.to])).toEqual([
        [2, 'price_moved', '0.6500'],
        [3, 'price_moved', '0.8000'],
      ]);
    } finally {
      for (const client of clients) client.close();
      // The APIs first, the store last (it flushes on the way out).
      for (const child of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
