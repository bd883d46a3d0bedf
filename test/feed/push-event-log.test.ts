import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEventLog, RedisEventLog, type EventLog } from '../../src/feed/push/event-log.js';
import type { UnnumberedEvent } from '../../src/feed/push/push-events.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';
import { REDIS_URL, dropPrefix, testPrefix } from '../helpers/redis.js';

const prefix = testPrefix();
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

const RETAIN_MS = 60_000;
const at = (s: number) => new Date(TEST_NOW.getTime() + s * 1000);
const moved = (ticker: string, from: string, to: string): UnnumberedEvent => ({
  type: 'price_moved',
  feedId: 'f',
  ticker,
  from,
  to,
});

const logs: [string, (key: string) => { log: EventLog; key: string }][] = [
  ['memory', (key) => ({ log: new MemoryEventLog(RETAIN_MS), key })],
  ['Redis', (key) => ({ log: new RedisEventLog(redis, prefix, RETAIN_MS), key })],
];

describe.each(logs)('the %s event log', (_name, make) => {
  it('numbers events, replays exactly those after a seq, and resets past the window or the end', async () => {
    const { log, key } = make('resume');
    expect((await log.append(key, moved('A', '0.5000', '0.6000'), at(0))).seq).toBe(1);
    expect((await log.append(key, moved('B', '0.5000', '0.6000'), at(10))).seq).toBe(2);
    expect((await log.append(key, moved('C', '0.5000', '0.6000'), at(20))).seq).toBe(3);
    expect(await log.latest(key)).toBe(3);
    const after1 = await log.since(key, 1, at(20));
    expect('events' in after1 && after1.events.map((e) => [e.seq, 'ticker' in e && e.ticker])).toEqual([
      [2, 'B'],
      [3, 'C'],
    ]);
    expect(await log.since(key, 3, at(20))).toEqual({ events: [] });
    expect(await log.since(key, 7, at(20))).toEqual({ reset: 'unknown_seq', latest: 3 });
    // Event 1 is past the window at 61 s; resuming after it still works, from before it does not.
    expect(await log.since(key, 0, at(61))).toEqual({ reset: 'too_old', latest: 3 });
    expect('events' in (await log.since(key, 1, at(61)))).toBe(true);
  });

  it('keeps one of two equal events (two replicas), but a price that comes back is a new move', async () => {
    const { log, key } = make('dedupe');
    expect((await log.append(key, moved('A', '0.5000', '0.6000'), at(0))).seq).toBe(1);
    expect((await log.append(key, moved('A', '0.5000', '0.6000'), at(0))).seq).toBe(1);
    expect((await log.append(key, moved('A', '0.6000', '0.5000'), at(1))).seq).toBe(2);
    expect((await log.append(key, moved('A', '0.5000', '0.6000'), at(2))).seq).toBe(3);
    expect(await log.latest(key)).toBe(3);
  });

  it('numbers a batch over many feeds in order, as appending one by one would', async () => {
    const { log } = make('batch');
    const [a, b] = ['batch-a', 'batch-b'];
    const numbered = await log.appendMany(
      [
        { key: a, event: moved('A', '0.5000', '0.6000') },
        { key: b, event: moved('A', '0.5000', '0.6000') },
        { key: a, event: moved('B', '0.5000', '0.7000') },
        { key: a, event: moved('B', '0.5000', '0.7000') }, // a repeat within the batch
      ],
      at(0),
    );
    expect(numbered.map((e) => e.seq)).toEqual([1, 1, 2, 2]);
    const all = await log.since(a, 0, at(0));
    expect('events' in all && all.events.map((e) => 'ticker' in e && e.ticker)).toEqual(['A', 'B']);
  });
});
