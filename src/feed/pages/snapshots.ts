import type { Surface } from '../../domain/attribution.js';

/** What a snapshot keeps of each ranked market: the rest is read from the catalogue when served. */
export interface SnapshotItem {
  ticker: string;
  score: number;
  reasons: string[];
}

/** A ranked list frozen when a feed's first page was served; its cursor pages through it. */
export interface FeedSnapshot {
  feedId: string;
  userId: string;
  /** Where it was served; absent means the feed (snapshots written before surfaces were recorded). */
  surface?: Surface;
  ranker: string;
  /** That ranker configuration's version. */
  rankerVersion: number;
  /** Version of the model that ranked it, for model-based rankers. */
  model: string | null;
  experiment: { key: string; variation: string } | null;
  categories: string[];
  createdAt: Date;
  items: SnapshotItem[];
  /**
   * What the subscriber was shown, for live pushes (src/feed/push): each item's price in dollars when
   * ranked (NaN before the exchange quoted it), and how many items the first page went through.
   */
  served?: { prices: Float64Array; firstPage: number };
}

export interface FeedSnapshotStore {
  put(snapshot: FeedSnapshot, ttlMs: number): Promise<void>;
  /** The snapshot, or undefined once it expired (or never existed). */
  get(feedId: string): Promise<FeedSnapshot | undefined>;
}

/**
 * Values by key, each until its own expiry, at most `maxEntries` of them (the oldest written leave
 * first: Map keeps insertion order). What the snapshot stores keep in process memory.
 */
export class ExpiringEntries<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  set(key: string, value: V, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  /** The value, or undefined once it expired (or was never set, or was pushed out). */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }
}

/**
 * Snapshots in this process's memory, bounded in count and age. Good for one replica; several
 * replicas share snapshots through Redis instead.
 */
export class MemorySnapshotStore implements FeedSnapshotStore {
  private readonly entries: ExpiringEntries<FeedSnapshot>;

  constructor(maxEntries = 10_000, now: () => number = Date.now) {
    this.entries = new ExpiringEntries(maxEntries, now);
  }

  async put(snapshot: FeedSnapshot, ttlMs: number): Promise<void> {
    this.entries.set(snapshot.feedId, snapshot, ttlMs);
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    return this.entries.get(feedId);
  }
}
