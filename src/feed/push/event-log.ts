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
  /** `append` for many events (of many feeds) at once, in order. */
  appendMany(entries: { key: string; event: UnnumberedEvent }[], at: Date): Promise<PushEvent[]>;
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

  async appendMany(entries: { key: string; event: UnnumberedEvent }[], at: Date): Promise<PushEvent[]> {
    const out: PushEvent[] = [];
    for (const { key, event } of entries) out.push(await this.append(key, event, at));
    return out;
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
 * Appends a batch atomically, per event (3 keys each: seq, log, latest): unless it repeats its
 * slot's latest event (a hash of slot → `<seq>|<identity>`), the counter, the entry (a sorted set
 * scored by seq, member `<seq>|<at ms>|<json>`), the trim by age and count, and the keys' expiry.
 * Returns each event's seq. One script per batch: a market change touching a thousand feeds is one
 * round trip, not a thousand.
 */
const APPEND_MANY = `
local at, cutoff, ttl, max = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local out = {}
for i = 1, #KEYS / 3 do
  local seqKey, logKey, latestKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local json, slot, identity = ARGV[3 * i + 2], ARGV[3 * i + 3], ARGV[3 * i + 4]
  local seq
  local previous = redis.call('HGET', latestKey, slot)
  if previous then
    local bar = string.find(previous, '|', 1, true)
    if string.sub(previous, bar + 1) == identity then seq = tonumber(string.sub(previous, 1, bar - 1)) end
  end
  if not seq then
    seq = redis.call('INCR', seqKey)
    redis.call('ZADD', logKey, seq, seq .. '|' .. at .. '|' .. json)
    redis.call('HSET', latestKey, slot, seq .. '|' .. identity)
    for _ = 1, 100 do
      local first = redis.call('ZRANGE', logKey, 0, 0)
      if #first == 0 then break end
      if tonumber(string.match(first[1], '^%d+|(%d+)|')) >= cutoff then break end
      redis.call('ZREMRANGEBYRANK', logKey, 0, 0)
    end
    redis.call('ZREMRANGEBYRANK', logKey, 0, -(max + 1))
    redis.call('PEXPIRE', seqKey, ttl)
    redis.call('PEXPIRE', logKey, ttl)
    redis.call('PEXPIRE', latestKey, ttl)
  end
  out[i] = seq
end
return out
`;

/** Events per script call: a batch holds Redis for about a millisecond. */
const BATCH = 500;

/** The logs in Redis (`<prefix>:push:<key>:seq|log|latest`), shared by every API replica. */
export class RedisEventLog implements EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retainMs: number,
  ) {
    redis.defineCommand('sibylPushAppendMany', { lua: APPEND_MANY });
  }

  private keys(key: string): [string, string, string] {
    const base = `${this.prefix}:push:${key}`;
    return [`${base}:seq`, `${base}:log`, `${base}:latest`];
  }

  async append(key: string, event: UnnumberedEvent, at: Date): Promise<PushEvent> {
    return (await this.appendMany([{ key, event }], at))[0]!;
  }

  async appendMany(entries: { key: string; event: UnnumberedEvent }[], at: Date): Promise<PushEvent[]> {
    const out: PushEvent[] = [];
    for (let start = 0; start < entries.length; start += BATCH) {
      const batch = entries.slice(start, start + BATCH);
      const keys = batch.flatMap(({ key }) => this.keys(key));
      const args = batch.flatMap(({ event }) => {
        const { slot, identity } = eventIdentity(event);
        return [JSON.stringify(event), slot, identity];
      });
      const seqs = (await (
        this.redis as unknown as { sibylPushAppendMany(...args: (string | number)[]): Promise<number[]> }
      ).sibylPushAppendMany(
        keys.length,
        ...keys,
        at.getTime(),
        at.getTime() - this.retainMs,
        2 * this.retainMs,
        MAX_ENTRIES,
        ...args,
      )) as number[];
      batch.forEach(({ event }, i) => out.push({ ...event, seq: seqs[i]! } as PushEvent));
    }
    return out;
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
