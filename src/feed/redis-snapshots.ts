import type { Redis } from 'ioredis';
import type { FeedSnapshot, FeedSnapshotStore } from './snapshots.js';

/**
 * Feed snapshots in Redis with the snapshot's TTL, shared by every API replica: a cursor from one
 * replica pages on any other. Give it a client that fails fast while disconnected
 * (`enableOfflineQueue: false`), so a Redis outage costs an error, not a hung request.
 */
export class RedisSnapshotStore implements FeedSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sibyl:feed:',
  ) {}

  async put(snapshot: FeedSnapshot, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + snapshot.feedId, encode(snapshot), 'PX', Math.max(1, ttlMs));
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    const raw = await this.redis.get(this.prefix + feedId);
    return raw === null ? undefined : decode(raw);
  }
}

const FORMAT = 2;

/** The stored form: items as [ticker, score, reason numbers], each distinct reason written once. */
interface Encoded extends Omit<FeedSnapshot, 'items' | 'createdAt'> {
  v: typeof FORMAT;
  createdAt: string;
  items: [string, number, number[]][];
  reasons: string[];
}

/**
 * A 200-item snapshot repeats a few dozen reasons ("Popular in Politics", "New market"): written
 * once each, the JSON is several times smaller, and so is the cost of writing every first page and
 * reading every later one.
 */
function encode(snapshot: FeedSnapshot): string {
  const reasons = new Map<string, number>();
  const number = (reason: string) => reasons.get(reason) ?? reasons.set(reason, reasons.size).size - 1;
  const items = snapshot.items.map((i): [string, number, number[]] => [
    i.ticker,
    i.score,
    i.reasons.map(number),
  ]);
  const encoded: Encoded = {
    v: FORMAT,
    feedId: snapshot.feedId,
    userId: snapshot.userId,
    ranker: snapshot.ranker,
    rankerVersion: snapshot.rankerVersion,
    model: snapshot.model,
    experiment: snapshot.experiment,
    categories: snapshot.categories,
    createdAt: snapshot.createdAt.toISOString(),
    items,
    reasons: [...reasons.keys()],
  };
  return JSON.stringify(encoded);
}

/** The snapshot, or undefined for one in another format (written before an upgrade: treated as expired). */
function decode(raw: string): FeedSnapshot | undefined {
  const { v, items, reasons, createdAt, ...meta } = JSON.parse(raw) as Encoded;
  if (v !== FORMAT) return undefined;
  return {
    ...meta,
    createdAt: new Date(createdAt),
    items: items.map(([ticker, score, numbers]) => ({
      ticker,
      score,
      reasons: numbers.map((n) => reasons[n]!),
    })),
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
