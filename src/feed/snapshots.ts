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
  ranker: string;
  /** That ranker configuration's version. */
  rankerVersion: number;
  /** Version of the model that ranked it, for model-based rankers. */
  model: string | null;
  experiment: { key: string; variation: string } | null;
  categories: string[];
  createdAt: Date;
  items: SnapshotItem[];
}

export interface FeedSnapshotStore {
  put(snapshot: FeedSnapshot, ttlMs: number): Promise<void>;
  /** The snapshot, or undefined once it expired (or never existed). */
  get(feedId: string): Promise<FeedSnapshot | undefined>;
}

/**
 * Snapshots in this process's memory, bounded in count and age. Good for one replica; several
 * replicas share snapshots through Redis instead.
 */
export class MemorySnapshotStore implements FeedSnapshotStore {
  private readonly entries = new Map<string, { snapshot: FeedSnapshot; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async put(snapshot: FeedSnapshot, ttlMs: number): Promise<void> {
    this.entries.set(snapshot.feedId, { snapshot, expiresAt: this.now() + ttlMs });
    // Map keeps insertion order: the first entries are the oldest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }

  async get(feedId: string): Promise<FeedSnapshot | undefined> {
    const entry = this.entries.get(feedId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(feedId);
      return undefined;
    }
    return entry.snapshot;
  }
}
