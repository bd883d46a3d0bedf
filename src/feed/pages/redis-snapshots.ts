import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { CONFIG_DEFAULTS } from '../../config/env.js';
import { ExpiringEntries, type FeedSnapshot, type FeedSnapshotStore } from './snapshots.js';

/** The Redis key prefix of feed snapshots: `<SIBYL_QUEUE_PREFIX>:feed:`. */
export function feedSnapshotKeyPrefix(queuePrefix = CONFIG_DEFAULTS.SIBYL_QUEUE_PREFIX): string {
  return `${queuePrefix}:feed:`;
}

/**
 * Feed snapshots in Redis with the snapshot's TTL, shared by every API replica: a cursor from one
 * replica pages on any other. Give it a client that fails fast while disconnected
 * (`enableOfflineQueue: false`), so a Redis outage costs an error, not a hung request.
 *
 * The replica also keeps its latest writes, encoded (outside the JS heap, ~8 kB each), until
 * they expire: a cursor that comes back to the replica that served its first page, as most do,
 * is served without a Redis round trip. Snapshots never change once written, so the copy cannot
 * go stale.
 */
export class RedisSnapshotStore implements FeedSnapshotStore {
  private readonly recent: ExpiringEntries<Buffer>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = feedSnapshotKeyPrefix(),
    options: { recentEntries: number; now: () => number } = { recentEntries: 2_000, now: Date.now },
  ) {
    this.recent = new ExpiringEntries(options.recentEntries, options.now);
  }

  async put(snapshot: FeedSnapshot, ttlMs: number): Promise<void> {
    const encoded = encode(snapshot);
    await this.redis.set(this.prefix + snapshot.feedId, encoded, 'PX', Math.max(1, ttlMs));
    this.recent.set(snapshot.feedId, encoded, ttlMs);
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    const raw = this.recent.get(feedId) ?? (await this.redis.getBuffer(this.prefix + feedId));
    return raw === null ? undefined : decode(raw);
  }
}

/** 4: with what was served (prices, first page), for live pushes. */
const FORMAT = 4;
/** Typed arrays round-trip as themselves (`moreTypes`); plain maps, no record extension. */
const packr = new Packr({ moreTypes: true, useRecords: false });

/**
 * The stored form, MessagePack: tickers space-separated (they cannot hold spaces), scores as raw
 * float64s, and per item a count of reason numbers into a table where each distinct reason is
 * written once ("Popular in Politics" recurs across a 200-item list).
 */
interface Encoded extends Omit<FeedSnapshot, 'items' | 'createdAt' | 'served'> {
  v: typeof FORMAT;
  createdAt: number;
  tickers: string;
  scores: Float64Array;
  reasonCounts: Uint16Array;
  reasonIds: Uint32Array;
  reasons: string[];
  prices?: Float64Array;
  firstPage?: number;
}

/**
 * Every first page writes a snapshot and every later page reads one. For 200 items this form takes
 * roughly half the CPU of the JSON it replaced, both ways (printing and parsing 200 decimal scores
 * was much of that JSON's cost).
 */
function encode(snapshot: FeedSnapshot): Buffer {
  const { items } = snapshot;
  const numbers = new Map<string, number>();
  const scores = new Float64Array(items.length);
  const reasonCounts = new Uint16Array(items.length);
  const reasonIds: number[] = [];
  const tickers = new Array<string>(items.length);
  items.forEach((item, j) => {
    tickers[j] = item.ticker;
    scores[j] = item.score;
    reasonCounts[j] = item.reasons.length;
    for (const reason of item.reasons) {
      let n = numbers.get(reason);
      if (n === undefined) numbers.set(reason, (n = numbers.size));
      reasonIds.push(n);
    }
  });
  const encoded: Encoded = {
    v: FORMAT,
    feedId: snapshot.feedId,
    userId: snapshot.userId,
    // Optional within format 3: snapshots written without it were all served on the feed.
    ...(snapshot.surface ? { surface: snapshot.surface } : {}),
    ranker: snapshot.ranker,
    rankerVersion: snapshot.rankerVersion,
    model: snapshot.model,
    experiment: snapshot.experiment,
    categories: snapshot.categories,
    createdAt: snapshot.createdAt.getTime(),
    tickers: tickers.join(' '),
    scores,
    reasonCounts,
    reasonIds: Uint32Array.from(reasonIds),
    reasons: [...numbers.keys()],
    ...(snapshot.served ? { prices: snapshot.served.prices, firstPage: snapshot.served.firstPage } : {}),
  };
  return packr.pack(encoded);
}

/** The snapshot, or undefined for one in another format (written before an upgrade: treated as expired). */
function decode(raw: Buffer): FeedSnapshot | undefined {
  let decoded: Partial<Encoded>;
  try {
    decoded = packr.unpack(raw) as Partial<Encoded>;
  } catch {
    return undefined; // JSON of format 2 and older is not MessagePack
  }
  if (decoded?.v !== FORMAT) return undefined;
  const {
    v: _v,
    createdAt,
    tickers,
    scores,
    reasonCounts,
    reasonIds,
    reasons,
    prices,
    firstPage,
    ...meta
  } = decoded as Encoded;
  let next = 0;
  return {
    ...meta,
    ...(prices && firstPage !== undefined ? { served: { prices, firstPage } } : {}),
    createdAt: new Date(createdAt),
    items: (tickers ? tickers.split(' ') : []).map((ticker, j) => {
      const itemReasons: string[] = [];
      for (let c = 0; c < reasonCounts[j]!; c++) itemReasons.push(reasons[reasonIds[next++]!]!);
      return { ticker, score: scores[j]!, reasons: itemReasons };
    }),
  };
}

/**
 * Redis first, this replica's memory when Redis fails: feeds keep serving through an outage, and
 * a cursor keeps working on the replica that served its first page. `degraded()` says so for
 * /readyz until Redis answers again.
 */
export class FallbackSnapshotStore implements FeedSnapshotStore {
  private failure: string | undefined;

  constructor(
    private readonly primary: FeedSnapshotStore,
    private readonly fallback: FeedSnapshotStore,
  ) {}

  async put(snapshot: FeedSnapshot, ttlMs: number): Promise<void> {
    try {
      await this.primary.put(snapshot, ttlMs);
      this.failure = undefined;
    } catch (err) {
      this.failure = errorMessage(err);
      await this.fallback.put(snapshot, ttlMs);
    }
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    try {
      const found = await this.primary.get(feedId);
      this.failure = undefined;
      // Snapshots written here while Redis was down live in memory only.
      return found ?? (await this.fallback.get(feedId));
    } catch (err) {
      this.failure = errorMessage(err);
      return this.fallback.get(feedId);
    }
  }

  /** Why snapshots are held in memory only, while they are. */
  degraded(): string | undefined {
    return this.failure && `feed snapshots in this replica's memory only (Redis: ${this.failure})`;
  }
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
