import type { FeedSnapshot } from '../pages/snapshots.js';
import type { PushEvent } from './push-events.js';

/** Where a watch's events go: one per open stream (an SSE response, a WebSocket subscription). */
export interface PushSink {
  send(event: PushEvent): void;
}

/**
 * One served feed being watched on this replica (by one or more streams): what its subscriber
 * was shown, kept in memory as it was when served and as pushes since updated it.
 */
export class FeedWatch {
  readonly sinks = new Set<PushSink>();
  /** Markets on the served pages: price (dollars, NaN if unquoted) as served or last pushed. */
  readonly served = new Map<string, number>();
  /** The first page's tickers, in order, as served or last pushed by feed_changed. */
  firstPage: string[];
  /** Whether a feed_changed is owed once the user's interval allows. */
  owesChange = false;
  /** Since when no stream watches it (ms): it keeps logging events for a reconnect until it lapses. */
  idleSince: number | undefined;
  /** How many of the snapshot's items count as served. */
  servedThrough = 0;
  readonly feed: Pick<FeedSnapshot, 'feedId' | 'userId' | 'ranker' | 'categories'>;

  constructor(
    readonly key: string,
    snapshot: FeedSnapshot,
    /** Items served: the first page, or as far as the subscriber's cursor says it paged. */
    servedThrough: number,
    intern: (ticker: string) => string = (t) => t,
  ) {
    this.feed = {
      feedId: snapshot.feedId,
      userId: snapshot.userId,
      ranker: snapshot.ranker,
      categories: snapshot.categories,
    };
    const firstPage = snapshot.served?.firstPage ?? 0;
    this.serveThrough(snapshot, Math.max(firstPage, servedThrough), intern);
    this.firstPage = snapshot.items.slice(0, firstPage).map((item) => intern(item.ticker));
  }

  /**
   * Counts the snapshot's items up to `through` as served (a subscriber that paged further); returns
   * the tickers newly served. A market that left since is not served again.
   */
  serveThrough(snapshot: FeedSnapshot, through: number, intern: (ticker: string) => string): string[] {
    const end = Math.min(snapshot.items.length, through);
    const added: string[] = [];
    for (let i = this.servedThrough; i < end; i++) {
      const ticker = intern(snapshot.items[i]!.ticker);
      if (this.served.has(ticker) || this.left.has(ticker)) continue;
      this.served.set(ticker, snapshot.served?.prices[i] ?? Number.NaN);
      added.push(ticker);
    }
    this.servedThrough = Math.max(this.servedThrough, end);
    return added;
  }

  /** Markets reported gone. */
  private readonly left = new Set<string>();

  /** A market that left: no more pushes about it, and the first page closes up. */
  forget(ticker: string): void {
    this.served.delete(ticker);
    this.left.add(ticker);
    this.firstPage = this.firstPage.filter((t) => t !== ticker);
  }

  /** Replays a logged event onto what was served (a watch rebuilt on another replica or after a restart). */
  apply(event: PushEvent): void {
    switch (event.type) {
      case 'market_closed':
        return this.forget(event.ticker);
      case 'price_moved':
        if (this.served.has(event.ticker)) this.served.set(event.ticker, Number(event.to));
        return;
      case 'new_match':
        this.served.set(event.ticker, event.item.price === null ? Number.NaN : Number(event.item.price));
        return;
      case 'feed_changed':
        this.firstPage = event.tickers;
        for (const t of event.tickers) if (!this.served.has(t)) this.served.set(t, Number.NaN);
        return;
      case 'reset':
        return;
    }
  }

  deliver(event: PushEvent): void {
    for (const sink of this.sinks) sink.send(event);
  }
}

/** A watch's key, which is also its event log's: the user and the feed. */
export const watchKey = (userId: string, feedId: string) => `${feedId}:${userId}`;
