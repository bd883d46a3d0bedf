import type { UserContext } from './user-context.js';
import { USER_CHANGE_EVENTS, type IngestEvents } from '../../ingest/events/ingest-events.js';

export interface UserContextCacheOptions {
  /** Users held at most (least recently used leave first): FEED_USER_CACHE_SIZE. */
  maxEntries: number;
  /**
   * A context older than this is reloaded even if nothing invalidated it (feature refreshes,
   * imports that bypass the API). Shortened while invalidations may be missed (see `setMaxAge`).
   */
  maxAgeMs: number;
  now?: () => number;
}

interface Entry {
  context: UserContext;
  loadedAt: number;
}

/**
 * Users' contexts held in memory between requests: a feed request and the pages after it read the
 * store once per user, not every time. Interactions and attributes stored through the API invalidate
 * the user at once, on every replica (`follow`, with the replica relay), so what a user just did
 * still moves their next feed.
 * Concurrent misses for one user share one load; a load that an invalidation overtook is served to
 * its callers but not kept.
 */
export class UserContextCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<UserContext>>();
  /** Bumped per user by every invalidation, so a load begun before one is not cached after it. */
  private readonly generation = new Map<string, number>();
  private maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly load: (userId: string) => Promise<UserContext>,
    private readonly options: UserContextCacheOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs;
    this.now = options.now ?? Date.now;
  }

  async get(userId: string): Promise<UserContext> {
    const entry = this.entries.get(userId);
    if (entry && this.now() - entry.loadedAt < this.maxAgeMs) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(userId);
      this.entries.set(userId, entry);
      return entry.context;
    }
    const pending = this.loading.get(userId);
    if (pending) return pending;
    const generation = this.generation.get(userId) ?? 0;
    const loadedAt = this.now();
    const load = this.load(userId)
      .then((context) => {
        if ((this.generation.get(userId) ?? 0) === generation) this.keep(userId, { context, loadedAt });
        return context;
      })
      .finally(() => this.loading.delete(userId));
    this.loading.set(userId, load);
    return load;
  }

  /** The context held for the user however old (for serving while the store is unreachable). */
  peek(userId: string): UserContext | undefined {
    return this.entries.get(userId)?.context;
  }

  /** Invalidates the users of every stored interaction and attribute change, local or relayed. */
  follow(events: IngestEvents): void {
    for (const name of USER_CHANGE_EVENTS) events.on(name, ({ userIds }) => this.invalidate(userIds));
  }

  /** Forgets these users: their next request reads the store. */
  invalidate(userIds: Iterable<string>): void {
    for (const userId of userIds) {
      this.entries.delete(userId);
      this.generation.set(userId, (this.generation.get(userId) ?? 0) + 1);
    }
    // Generations only matter while a load is in flight: keep the map from growing without bound.
    if (this.generation.size > this.options.maxEntries)
      for (const userId of this.generation.keys())
        if (!this.loading.has(userId)) this.generation.delete(userId);
  }

  /** Forgets everyone (after a gap in which invalidations may have been missed). */
  clear(): void {
    this.invalidate([...this.entries.keys()]);
  }

  /** The freshness bound: short while invalidations from other replicas may be missed. */
  setMaxAge(ms: number): void {
    this.maxAgeMs = ms;
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(userId: string, entry: Entry): void {
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    if (this.entries.size > this.options.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}
