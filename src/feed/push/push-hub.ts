import { setImmediate as nextTurn } from 'node:timers/promises';
import { SibylError } from '../../errors.js';
import type { IngestEvents } from '../../ingest/events/ingest-events.js';
import type { Logger } from '../../log/logger.js';
import type { CatalogueChanges, CatalogueSnapshot } from '../catalogue/market-catalogue.js';
import { marketPrice } from '../catalogue/market-price.js';
import type { FeedSnapshot } from '../pages/snapshots.js';
import type { RankedItem } from '../pipeline/rank-feed.js';
import type { EventLog } from './event-log.js';
import { FeedWatch, watchKey, type PushSink } from './feed-watch.js';
import { dollarString, type PushEvent, type UnnumberedEvent } from './push-events.js';

/** What the hub needs of the feed service (src/feed/feed-service.ts). */
export interface PushFeedSource {
  servedFeed(feedId: string): Promise<FeedSnapshot | undefined>;
  rankAgain(
    feed: Pick<FeedSnapshot, 'userId' | 'ranker' | 'categories'>,
  ): Promise<{ items: RankedItem[]; catalogue: CatalogueSnapshot }>;
  /** Serves a first page (a real feed, with its snapshot), for subscribers that name none. */
  getFeed(req: { userId: string; limit: number; categories: string[] }): Promise<{ feedId: string }>;
}

export interface PushHubOptions {
  /** FEED_PUSH_PRICE_CENTS. @defaultValue 5 */
  priceCents: number;
  /** FEED_PUSH_TOP_K. @defaultValue 10 */
  topK: number;
  /** FEED_PUSH_MIN_SECONDS, in ms. @defaultValue 30000 */
  minChangeIntervalMs: number;
  /** How many first-page positions must differ for feed_changed. @defaultValue 3 */
  changedPositions?: number;
  /** Reranks in flight at once: a burst touching many users queues instead of stalling requests. @defaultValue 4 */
  rerankConcurrency?: number;
  /**
   * How long a feed stays watched after its last stream leaves (FEED_PUSH_RETAIN_SECONDS, in ms), so
   * a client that reconnects within it is replayed what happened meanwhile. @defaultValue 300000
   */
  lingerMs?: number;
}

export interface SubscribeRequest {
  userId: string;
  /** The served feed to watch; without one a first page is served for the stream. */
  feedId?: string;
  /** How far the subscriber paged (a cursor's offset): items before it were served too. */
  servedThrough?: number;
  /** The last seq the client saw: what it missed since is replayed first. */
  resumeFrom?: number;
}

export interface Subscription {
  feedId: string;
  /** The seq the stream is at once the replay (if any) was sent. */
  seq: number;
  unsubscribe(): void;
}

export interface PushHubStats {
  watches: number;
  sinks: number;
  events: Record<PushEvent['type'], number>;
  reranks: number;
  appendFailures: number;
}

/**
 * One API replica's live pushes. Market changes reach every replica (the catalogue refreshes on the
 * relayed `catalogueStored`); each replica does per-user work only for the feeds its own streams
 * watch: index lookups for closes and price moves, and reranks (queued, a few at a time) for new
 * listings and for users whose history changed. Events go through the shared event log, which
 * numbers them, before they are delivered.
 */
export class PushHub {
  private readonly watches = new Map<string, FeedWatch>();
  private readonly byTicker = new Map<string, Set<FeedWatch>>();
  private readonly byUser = new Map<string, Set<FeedWatch>>();
  private readonly reranks = new Map<FeedWatch, Set<string>>();
  /** When each user (with a watched feed here) was last sent feed_changed (ms). */
  private readonly lastChanged = new Map<string, number>();
  private rerankers = 0;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private appendWaiters: (() => void)[] = [];
  /** Events emitted this turn, logged together at its end. */
  private batch: { watch: FeedWatch; event: UnnumberedEvent }[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sweep: NodeJS.Timeout | undefined;
  readonly stats: PushHubStats = {
    watches: 0,
    sinks: 0,
    events: { market_closed: 0, price_moved: 0, new_match: 0, feed_changed: 0, reset: 0 },
    reranks: 0,
    appendFailures: 0,
  };

  constructor(
    private readonly deps: {
      feed: PushFeedSource;
      catalogue: {
        onChange(listener: (changes: CatalogueChanges) => void): () => void;
        peek(): CatalogueSnapshot | undefined;
      };
      log: EventLog;
      events?: IngestEvents;
      now: () => Date;
      logger?: Logger;
    },
    private readonly options: PushHubOptions,
  ) {
    this.unsubscribe.push(deps.catalogue.onChange((changes) => this.onCatalogueChange(changes)));
    // A user's own trades, watches and dismissals reshape their feed.
    if (deps.events)
      this.unsubscribe.push(
        deps.events.on('interactionsStored', ({ userIds }) => {
          for (const userId of userIds)
            for (const watch of this.byUser.get(userId) ?? []) this.queueRerank(watch);
        }),
      );
    // Every few seconds: feed_changed held back by the interval is checked again once it allows,
    // and feeds nobody has watched for the linger time are let go.
    this.sweep = setInterval(() => this.sweepWatches(), 5_000);
    this.sweep.unref();
  }

  private sweepWatches(): void {
    const now = this.deps.now().getTime();
    for (const watch of [...this.watches.values()]) {
      if (watch.idleSince !== undefined && now - watch.idleSince >= (this.options.lingerMs ?? 300_000))
        this.drop(watch);
      else if (watch.owesChange && now - this.lastChangedAt(watch) >= this.options.minChangeIntervalMs)
        this.queueRerank(watch);
    }
  }

  /**
   * Starts delivering a feed's events to `sink`: first those missed since `resumeFrom` (or a
   * `reset`), then live ones, in seq order. 404 for a feed that expired or is not this user's.
   */
  async subscribe(req: SubscribeRequest, sink: PushSink): Promise<Subscription> {
    const feedId =
      req.feedId ?? (await this.deps.feed.getFeed({ userId: req.userId, limit: 20, categories: [] })).feedId;
    const key = watchKey(req.userId, feedId);
    let watch = this.watches.get(key);
    // Tickers decoded from the snapshot are swapped for the catalogue's own strings: thousands of
    // watches then share one copy of each.
    const catalogue = this.deps.catalogue.peek();
    const intern = (t: string) => catalogue?.byTicker.get(t)?.ticker ?? t;
    const snapshotOf = async () => {
      const snapshot = await this.deps.feed.servedFeed(feedId);
      if (!snapshot || snapshot.userId !== req.userId)
        throw new SibylError(
          'not_found',
          'No such feed for this user (feeds expire after FEED_SNAPSHOT_TTL_SECONDS): fetch a first page and subscribe with its feedId',
          [{ path: 'feed_id', message: 'unknown or expired' }],
        );
      return snapshot;
    };
    if (watch && (req.servedThrough ?? 0) > watch.servedThrough) {
      // A subscriber that paged further than the feed's other streams: those pages count too.
      const widened = watch;
      for (const ticker of widened.serveThrough(await snapshotOf(), req.servedThrough!, intern))
        this.index(widened, ticker);
    }
    if (!watch) {
      const fresh = new FeedWatch(key, await snapshotOf(), req.servedThrough ?? 0, intern);
      // What was pushed for this feed before (by another replica, or before a restart) is replayed
      // onto it, so this replica's pushes continue from there.
      const past = await this.deps.log.since(key, 0, this.deps.now());
      if ('events' in past) for (const event of past.events) fresh.apply(event);
      watch = this.watches.get(key) ?? this.track(fresh);
    }
    watch.idleSince = undefined;
    // Live events wait behind the replay, so the client sees seqs in order without gaps.
    const gate = new GatedSink(sink);
    watch.sinks.add(gate);
    this.stats.sinks++;
    let seq: number;
    try {
      if (req.resumeFrom === undefined) seq = await this.deps.log.latest(key);
      else {
        const resume = await this.deps.log.since(key, req.resumeFrom, this.deps.now());
        if ('reset' in resume) {
          seq = resume.latest;
          this.stats.events.reset++;
          gate.sendNow({ type: 'reset', feedId, reason: resume.reset, seq });
        } else {
          for (const event of resume.events) gate.sendNow(event);
          seq = resume.events.at(-1)?.seq ?? req.resumeFrom;
        }
      }
    } catch (err) {
      this.detach(watch, gate);
      throw err;
    }
    gate.open(req.resumeFrom === undefined ? 0 : seq);
    const current = watch;
    return { feedId, seq, unsubscribe: () => this.detach(current, gate) };
  }

  /** Resolves once the work started so far (event appends, queued reranks) is done (tests, benchmarks). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.reranks.size === 0 && this.rerankers === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    clearInterval(this.sweep);
    for (const off of this.unsubscribe) off();
  }

  private track(watch: FeedWatch): FeedWatch {
    this.watches.set(watch.key, watch);
    this.stats.watches++;
    for (const ticker of watch.served.keys()) this.index(watch, ticker);
    let mine = this.byUser.get(watch.feed.userId);
    if (!mine) this.byUser.set(watch.feed.userId, (mine = new Set()));
    mine.add(watch);
    return watch;
  }

  private detach(watch: FeedWatch, sink: PushSink): void {
    if (!watch.sinks.delete(sink)) return;
    this.stats.sinks--;
    // The last stream of this feed left: it is watched a while longer, for a reconnect to resume.
    if (watch.sinks.size === 0) watch.idleSince = this.deps.now().getTime();
  }

  /** Lets a feed go: no more work on this replica for it. */
  private drop(watch: FeedWatch): void {
    this.watches.delete(watch.key);
    this.stats.watches--;
    this.reranks.delete(watch);
    for (const ticker of watch.served.keys()) this.unindex(watch, ticker);
    const mine = this.byUser.get(watch.feed.userId);
    mine?.delete(watch);
    if (mine?.size === 0) {
      this.byUser.delete(watch.feed.userId);
      this.lastChanged.delete(watch.feed.userId);
    }
  }

  private index(watch: FeedWatch, ticker: string): void {
    let set = this.byTicker.get(ticker);
    if (!set) this.byTicker.set(ticker, (set = new Set()));
    set.add(watch);
  }

  private unindex(watch: FeedWatch, ticker: string): void {
    const set = this.byTicker.get(ticker);
    set?.delete(watch);
    if (set?.size === 0) this.byTicker.delete(ticker);
  }

  private onCatalogueChange({ snapshot, removed, listed, repriced }: CatalogueChanges): void {
    for (const { ticker, status } of removed) {
      for (const watch of this.byTicker.get(ticker) ?? []) {
        const onFirstPage = watch.firstPage.includes(ticker);
        watch.forget(ticker);
        this.emit(watch, { type: 'market_closed', feedId: watch.feed.feedId, ticker, status });
        // The first page closed up: whether what fills the gap changes it materially is a rerank's call.
        if (onFirstPage) this.queueRerank(watch);
      }
      this.byTicker.delete(ticker);
    }
    const threshold = this.options.priceCents / 100 - 1e-9;
    for (const ticker of repriced) {
      const market = snapshot.byTicker.get(ticker);
      if (!market) continue;
      const price = marketPrice(market);
      for (const watch of this.byTicker.get(ticker) ?? []) {
        const before = watch.served.get(ticker)!;
        // A first quote is no move; it becomes the baseline.
        if (Number.isNaN(before) || Number.isNaN(price)) {
          watch.served.set(ticker, price);
          continue;
        }
        if (Math.abs(price - before) < threshold) continue;
        watch.served.set(ticker, price);
        this.emit(watch, {
          type: 'price_moved',
          feedId: watch.feed.feedId,
          ticker,
          from: dollarString(before)!,
          to: dollarString(price)!,
        });
      }
    }
    if (listed.length > 0) for (const watch of this.watches.values()) this.queueRerank(watch, listed);
  }

  private queueRerank(watch: FeedWatch, listed: readonly string[] = []): void {
    let set = this.reranks.get(watch);
    if (!set) this.reranks.set(watch, (set = new Set()));
    for (const t of listed) set.add(t);
    const concurrency = this.options.rerankConcurrency ?? 4;
    while (this.rerankers < concurrency && this.rerankers < this.reranks.size) {
      this.rerankers++;
      void this.rerankLoop().finally(() => {
        this.rerankers--;
        this.maybeIdle();
      });
    }
  }

  /**
   * Takes queued reranks one at a time, yielding between them so requests and pushes interleave,
   * and only once the events already computed are delivered: a burst's closes and price moves go
   * out before the reranks they set off compete for the event loop and the store.
   */
  private async rerankLoop(): Promise<void> {
    for (;;) {
      await nextTurn();
      while (this.inFlight > 0) await new Promise<void>((resolve) => this.appendWaiters.push(resolve));
      const next = this.reranks.entries().next();
      if (next.done) return;
      const [watch, listed] = next.value;
      this.reranks.delete(watch);
      if (this.watches.get(watch.key) !== watch) continue;
      try {
        await this.rerank(watch, listed);
      } catch (err) {
        this.deps.logger?.warn({ err, feedId: watch.feed.feedId }, 'push: rerank failed');
      }
    }
  }

  /** new_match for listed markets now in the top K; feed_changed when the first page moved materially. */
  private async rerank(watch: FeedWatch, listed: Set<string>): Promise<void> {
    this.stats.reranks++;
    const { items, catalogue } = await this.deps.feed.rankAgain(watch.feed);
    const serve = (ticker: string) => {
      if (watch.served.has(ticker)) return;
      const market = catalogue.byTicker.get(ticker);
      watch.served.set(ticker, market ? marketPrice(market) : Number.NaN);
      this.index(watch, ticker);
    };
    const top = items.slice(0, this.options.topK);
    top.forEach((item, i) => {
      const market = catalogue.byTicker.get(item.ticker);
      if (!listed.has(item.ticker) || watch.served.has(item.ticker) || !market) return;
      serve(item.ticker);
      this.emit(watch, {
        type: 'new_match',
        feedId: watch.feed.feedId,
        ticker: item.ticker,
        rank: i + 1,
        item: {
          ticker: item.ticker,
          eventTicker: market.eventTicker,
          title: market.title,
          category: market.category,
          price: dollarString(marketPrice(market)),
          closeTime: market.closeTime.toISOString(),
          score: item.score,
          reasons: item.reasons,
        },
      });
    });

    const n = watch.firstPage.length;
    if (n === 0) return;
    const fresh = items.slice(0, n).map((item) => item.ticker);
    const positions: number[] = [];
    for (let i = 0; i < n; i++) if (fresh[i] !== watch.firstPage[i]) positions.push(i);
    watch.owesChange = false;
    if (positions.length < Math.min(n, this.options.changedPositions ?? 3)) return;
    const now = this.deps.now().getTime();
    if (now - this.lastChangedAt(watch) < this.options.minChangeIntervalMs) {
      watch.owesChange = true;
      return;
    }
    this.lastChanged.set(watch.feed.userId, now);
    watch.firstPage = fresh;
    for (const ticker of fresh) serve(ticker);
    this.emit(watch, { type: 'feed_changed', feedId: watch.feed.feedId, positions, tickers: fresh });
  }

  private lastChangedAt(watch: FeedWatch): number {
    return this.lastChanged.get(watch.feed.userId) ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Numbers the event in the log, then hands it to the watch's streams. Events emitted in the same
   * turn (a market change touching many feeds) are logged in one batch.
   */
  private emit(watch: FeedWatch, event: UnnumberedEvent): void {
    this.inFlight++;
    this.stats.events[event.type]++;
    if (this.batch.length === 0) queueMicrotask(() => this.flush());
    this.batch.push({ watch, event });
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    this.deps.log
      .appendMany(
        batch.map(({ watch, event }) => ({ key: watch.key, event })),
        this.deps.now(),
      )
      .then(
        (numbered) => numbered.forEach((event, i) => batch[i]!.watch.deliver(event)),
        (err: unknown) => {
          // Not delivered unnumbered (seqs must mean the log's): lost, and counted.
          this.stats.appendFailures += batch.length;
          this.deps.logger?.warn({ err, events: batch.length }, 'push: event log append failed');
        },
      )
      .finally(() => {
        this.inFlight -= batch.length;
        this.maybeIdle();
      });
  }

  private maybeIdle(): void {
    if (this.inFlight === 0) {
      const waiters = this.appendWaiters;
      this.appendWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.inFlight > 0 || this.reranks.size > 0 || this.rerankers > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Holds live events while the replay is sent, then passes on those the replay did not include. */
class GatedSink implements PushSink {
  private held: PushEvent[] | undefined = [];

  constructor(private readonly sink: PushSink) {}

  sendNow(event: PushEvent): void {
    this.sink.send(event);
  }

  open(afterSeq: number): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) if (event.seq > afterSeq) this.sink.send(event);
  }

  send(event: PushEvent): void {
    if (this.held) this.held.push(event);
    else this.sink.send(event);
  }
}
