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
    await this.redis.set(this.prefix + snapshot.feedId, JSON.stringify(snapshot), 'PX', Math.max(1, ttlMs));
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    const raw = await this.redis.get(this.prefix + feedId);
    if (raw === null) return undefined;
    const snapshot = JSON.parse(raw) as FeedSnapshot & { createdAt: string };
    return { ...snapshot, createdAt: new Date(snapshot.createdAt) };
  }
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
