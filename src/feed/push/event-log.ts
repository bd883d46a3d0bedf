import type { Redis } from 'ioredis';
import { eventIdentity, type PushEvent, type UnnumberedEvent } from './push-events.js';

/** Where resuming after `seq` leads: the events since, or a reset (the log no longer reaches back). */
export type Resume = { events: PushEvent[] } | { reset: 'too_old' | 'unknown_seq'; latest: number };

/**
 * Each subscription's events (key: user and feed) numbered 1, 2, 3… and kept for a retention
 * window, so a client reconnecting to any replica gets exactly what it missed.
 */
export interface EventLog {
  /** Numbers and keeps the event; one repeating its slot's latest (eventIdentity) gets that one's seq instead. */
  append(key: string, event: UnnumberedEvent, at: Date): Promise<PushEvent>;
  /** Events after `seq` (0: from the start). */
  since(key: string, seq: number, now: Date): Promise<Resume>;
  /** The latest seq (0 when none). */
  latest(key: string): Promise<number>;
}

interface Entry {
  at: number;
  event: PushEvent;
}

/** Shared by both logs: the entries after `seq`, unless some of them were trimmed or never existed. */
function resumeFrom(entries: Entry[], latest: number, seq: number, cutoff: number): Resume {
  if (seq > latest) return { reset: 'unknown_seq', latest };
  // Entries appended after `latest` was read are left for the live stream.
  const after = entries.filter((e) => e.event.seq > seq && e.event.seq <= latest && e.at >= cutoff);
  if (after.length !== latest - seq) return { reset: 'too_old', latest };
  return { events: after.map((e) => e.event) };
}

interface MemoryLog {
  seq: number;
  entries: Entry[];
  touched: number;
  /** Per slot, its latest event's identity and seq (see eventIdentity). */
  latest: Map<string, { identity: string; seq: number }>;
}

/** One replica's logs in memory: for a single API process (and tests). */
export class MemoryEventLog implements EventLog {
  private readonly logs = new Map<string, MemoryLog>();

  constructor(private readonly retainMs: number) {}

  async append(key: string, event: UnnumberedEvent, at: Date): Promise<PushEvent> {
    this.forgetIdle(at.getTime());
    const log: MemoryLog = this.logs.get(key) ?? { seq: 0, entries: [], touched: 0, latest: new Map() };
    this.logs.set(key, log);
    const { slot, identity } = eventIdentity(event);
    const previous = log.latest.get(slot);
    if (previous?.identity === identity) return { ...event, seq: previous.seq } as PushEvent;
    const numbered = { ...event, seq: ++log.seq } as PushEvent;
    log.latest.set(slot, { identity, seq: numbered.seq });
    log.entries.push({ at: at.getTime(), event: numbered });
    log.touched = at.getTime();
    const cutoff = at.getTime() - this.retainMs;
    while (log.entries.length > 0 && log.entries[0]!.at < cutoff) log.entries.shift();
    return numbered;
  }

  async since(key: string, seq: number, now: Date): Promise<Resume> {
    const log = this.logs.get(key);
    return resumeFrom(log?.entries ?? [], log?.seq ?? 0, seq, now.getTime() - this.retainMs);
  }

  async latest(key: string): Promise<number> {
    return this.logs.get(key)?.seq ?? 0;
  }

  /** Logs untouched for twice the retention go, as their Redis keys expire. */
  private forgetIdle(now: number): void {
    for (const [key, log] of this.logs) if (now - log.touched > 2 * this.retainMs) this.logs.delete(key);
  }
}

/** Most events kept per subscription whatever their age, so a runaway log cannot fill Redis. */
const MAX_ENTRIES = 1_000;

/**
 * Appends atomically: unless it repeats its slot's latest event (a hash of slot → `<seq>|<identity>`),
 * the counter, the entry (a sorted set scored by seq, member `<seq>|<at ms>|<json>`), the trim by
 * age and count, and the keys' expiry.
 */
const APPEND = `
local previous = redis.call('HGET', KEYS[3], ARGV[6])
if previous then
  local bar = string.find(previous, '|', 1, true)
  if string.sub(previous, bar + 1) == ARGV[7] then return tonumber(string.sub(previous, 1, bar - 1)) end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, seq .. '|' .. ARGV[1] .. '|' .. ARGV[2])
redis.call('HSET', KEYS[3], ARGV[6], seq .. '|' .. ARGV[7])
local cutoff = tonumber(ARGV[3])
for _ = 1, 100 do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #first == 0 then break end
  local at = tonumber(string.match(first[1], '^%d+|(%d+)|'))
  if at >= cutoff then break end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, 0)
end
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[5]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return seq
`;

/** The logs in Redis (`<prefix>:push:<key>:seq|log`), shared by every API replica. */
export class RedisEventLog implements EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retainMs: number,
  ) {
    redis.defineCommand('sibylPushAppend', { numberOfKeys: 3, lua: APPEND });
  }

  private keys(key: string): [string, string, string] {
    const base = `${this.prefix}:push:${key}`;
    return [`${base}:seq`, `${base}:log`, `${base}:latest`];
  }

  async append(key: string, event: UnnumberedEvent, at: Date): Promise<PushEvent> {
    const json = JSON.stringify(event);
    const { slot, identity } = eventIdentity(event);
    const seq = (await (
      this.redis as unknown as { sibylPushAppend(...args: (string | number)[]): Promise<number> }
    ).sibylPushAppend(
      ...this.keys(key),
      at.getTime(),
      json,
      at.getTime() - this.retainMs,
      2 * this.retainMs,
      MAX_ENTRIES,
      slot,
      identity,
    )) as number;
    return { ...event, seq } as PushEvent;
  }

  async since(key: string, seq: number, now: Date): Promise<Resume> {
    const [seqKey, logKey] = this.keys(key);
    const [latestRaw, members] = await Promise.all([
      this.redis.get(seqKey),
      this.redis.zrangebyscore(logKey, `(${seq}`, '+inf'),
    ]);
    const entries = members.map((member): Entry => {
      const first = member.indexOf('|');
      const second = member.indexOf('|', first + 1);
      const event = JSON.parse(member.slice(second + 1)) as UnnumberedEvent;
      return {
        at: Number(member.slice(first + 1, second)),
        event: { ...event, seq: Number(member.slice(0, first)) } as PushEvent,
      };
    });
    return resumeFrom(entries, Number(latestRaw ?? 0), seq, now.getTime() - this.retainMs);
  }

  async latest(key: string): Promise<number> {
    return Number((await this.redis.get(this.keys(key)[0])) ?? 0);
  }
}
