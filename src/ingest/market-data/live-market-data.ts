import { eventInput, marketInput, seriesInput } from '../../domain/schemas.js';
import type { Logger } from '../../log/logger.js';
import { coll } from '../../store/collections.js';
import type { Store } from '../../store/types.js';
import { parseBatch } from '../batch.js';
import {
  updateMarkets,
  writeEvents,
  writeMarkets,
  writeMarketStatuses,
  writeSeries,
  type MarketChange,
} from '../catalogue-writer.js';
import type { IngestEvents } from '../events/ingest-events.js';
import { titlesFromEvents } from '../import/event-titles.js';
import { fromKalshi } from '../import/kalshi.js';
import { pullCatalogue, restBase } from './catalogue-pull.js';
import {
  createdMarket,
  eventLifecycleMessage,
  lifecycleMessage,
  lifecycleUpdate,
  quoteUpdate,
  tickerMessage,
  type Envelope,
} from './kalshi-messages.js';
import { KalshiStreamClient } from './kalshi-stream-client.js';

export interface LiveMarketDataOptions {
  /** The exchange's market-data WebSocket (MARKET_STREAM_URL). */
  streamUrl: string;
  /** Its REST API (MARKET_SYNC_URL): resyncs after a reconnect or a gap, and unknown events and series. */
  syncUrl?: string;
  /** This process's ingestion events: what the stream changes is announced as `catalogueStored`. */
  events?: IngestEvents;
  logger?: Logger;
  now?: () => Date;
  /** How long ticker updates are gathered before one bulk write. @defaultValue 250 */
  quoteFlushMs?: number;
  /** How often time's own transitions (opening and closing on schedule) are applied. @defaultValue 5000 */
  statusSweepMs?: number;
  minBackoffMs?: number;
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface LiveMarketDataStats {
  messages: number;
  lifecycle: number;
  quotes: number;
  gaps: number;
  resyncs: number;
  /** Connections made (the first one included). */
  connections: number;
  lastResyncError?: string;
}

/**
 * Live market data, applied to the catalogue: lifecycle messages list markets and change their
 * state (paused, closed early, settled) in the order they arrive, ticker messages update quotes in
 * small batches, and time's own transitions are swept every few seconds. After every (re)connection
 * and on any gap in the lifecycle sequence the catalogue is resynced from the REST API, so a market
 * whose change was missed is never left stale. Changes that take markets out of (or into) feeds,
 * and each batch of quotes, are announced at once as `catalogueStored` with their tickers, which
 * the replica relay carries to every API replica.
 */
export class LiveMarketData {
  private readonly client: KalshiStreamClient;
  private readonly now: () => Date;
  /** Writes run one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private quotes = new Map<string, MarketChange>();
  private flushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  readonly stats: LiveMarketDataStats = {
    messages: 0,
    lifecycle: 0,
    quotes: 0,
    gaps: 0,
    resyncs: 0,
    connections: 0,
  };

  constructor(
    private readonly store: Store,
    private readonly options: LiveMarketDataOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.client = new KalshiStreamClient({
      url: options.streamUrl,
      channels: ['market_lifecycle_v2', 'ticker'],
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    });
    this.client.on('message', (m) => this.onMessage(m));
    this.client.on('subscribed', () => {
      this.stats.connections++;
      options.logger?.info({ url: options.streamUrl }, 'market stream subscribed');
      // Whatever was published while we were not subscribed is lost: the REST API has it.
      this.resync('subscribed');
    });
    this.client.on('gap', (gap) => {
      this.stats.gaps++;
      options.logger?.warn(gap, 'market stream: lifecycle messages missed, resyncing');
      this.resync('gap');
    });
  }

  get subscribed(): boolean {
    return this.client.isSubscribed;
  }

  start(): void {
    this.client.start();
    const sweepMs = this.options.statusSweepMs ?? 5_000;
    if (sweepMs > 0) {
      this.sweepTimer = setInterval(() => this.enqueue(() => this.sweep()), sweepMs);
      this.sweepTimer.unref();
    }
  }

  /** Stops listening, then finishes the writes already queued. */
  async stop(): Promise<void> {
    this.client.stop();
    clearInterval(this.sweepTimer);
    clearTimeout(this.flushTimer);
    this.enqueue(() => this.flushQuotes());
    await this.queue;
    await this.resyncing;
  }

  /** Resolves once every write queued so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    await this.queue;
    await this.resyncing;
    await this.queue;
  }

  private onMessage(m: Envelope): void {
    this.stats.messages++;
    if (m.type === 'ticker') {
      const parsed = tickerMessage.safeParse(m.msg);
      if (!parsed.success) return this.ignored(m);
      this.stats.quotes++;
      const update = quoteUpdate(parsed.data);
      this.quotes.set(update.ticker, { ...this.quotes.get(update.ticker), ...update });
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        this.enqueue(() => this.flushQuotes());
      }, this.options.quoteFlushMs ?? 250);
      return;
    }
    if (m.type === 'market_lifecycle_v2') {
      const parsed = lifecycleMessage.safeParse(m.msg);
      if (!parsed.success) return this.ignored(m);
      this.stats.lifecycle++;
      const message = parsed.data;
      this.enqueue(() => this.applyLifecycle(message));
      return;
    }
    if (m.type === 'event_lifecycle') {
      const parsed = eventLifecycleMessage.safeParse(m.msg);
      if (!parsed.success) return this.ignored(m);
      this.stats.lifecycle++;
      const e = parsed.data;
      this.enqueue(async () => {
        await this.ensureSeries(e.series_ticker);
        await this.write(
          'events',
          [
            {
              eventTicker: e.event_ticker,
              seriesTicker: e.series_ticker,
              title: e.title,
              subtitle: e.subtitle,
            },
          ],
          [],
        );
      });
    }
  }

  private ignored(m: Envelope): void {
    this.options.logger?.warn({ type: m.type, msg: m.msg }, 'market stream: message not understood, ignored');
  }

  private async applyLifecycle(message: ReturnType<typeof lifecycleMessage.parse>): Promise<void> {
    const now = this.now();
    const listing = createdMarket(message, now);
    if (listing) {
      await this.ensureEvent(String(listing.eventTicker));
      // An untitled listing takes its event's title; one with neither is rejected by write().
      await titlesFromEvents(this.store, [{ index: 0, value: listing }]);
      return this.write('markets', [listing], [message.market_ticker]);
    }
    const update = lifecycleUpdate(message, now);
    if (!update) return;
    // A quote gathered before this change must not land after it and reopen nothing: flush first.
    await this.flushQuotes();
    const changed = await updateMarkets(this.store, [update], now);
    await this.announce(changed);
  }

  private async flushQuotes(): Promise<void> {
    if (this.quotes.size === 0) return;
    const batch = [...this.quotes.values()];
    this.quotes = new Map();
    await updateMarkets(this.store, batch, this.now());
    // Replicas refresh just these markets, and push price moves to the feeds that show them.
    await this.announce(batch.map((q) => q.ticker));
  }

  /** Opens and closes what the clock says should be (Kalshi announces neither). */
  private async sweep(): Promise<void> {
    const changes = await writeMarketStatuses(this.store, this.now());
    if (changes.opened + changes.closed > 0) await this.announce([]);
  }

  /** Validates records in our input shape and upserts them; announces `tickers` once stored. */
  private async write(
    type: 'series' | 'events' | 'markets',
    records: Record<string, unknown>[],
    tickers: string[],
  ): Promise<void> {
    const schema = { series: seriesInput, events: eventInput, markets: marketInput }[type];
    const { valid, issues } = parseBatch(schema, records, type);
    if (issues.length) this.options.logger?.warn({ issues }, `market stream: ${type} rejected`);
    const values = valid.map((v) => v.value);
    if (values.length === 0) return;
    const now = this.now();
    if (type === 'series') await writeSeries(this.store, values as never, now);
    else if (type === 'events') await writeEvents(this.store, values as never, now);
    else await writeMarkets(this.store, values as never, now);
    await this.announce(tickers);
  }

  private async announce(tickers: string[]): Promise<void> {
    await this.options.events?.emit('catalogueStored', { origin: 'local', tickers });
  }

  /** An event the store does not know yet is fetched (with its series) before its markets land. */
  private async ensureEvent(eventTicker: string): Promise<void> {
    if (!this.options.syncUrl) return;
    if (await coll(this.store, 'events').findOne({ eventTicker }, { projection: { _id: 1 } })) return;
    const body = await this.get(`/events/${encodeURIComponent(eventTicker)}`);
    const event = body?.event as Record<string, unknown> | undefined;
    if (!event) return;
    await this.ensureSeries(String(event.series_ticker));
    await this.write('events', [fromKalshi('events', event).value], []);
  }

  private async ensureSeries(seriesTicker: string): Promise<void> {
    if (!this.options.syncUrl) return;
    if (await coll(this.store, 'series').findOne({ ticker: seriesTicker }, { projection: { _id: 1 } }))
      return;
    const body = await this.get(`/series/${encodeURIComponent(seriesTicker)}`);
    const series = body?.series as Record<string, unknown> | undefined;
    if (series) await this.write('series', [fromKalshi('series', series).value], []);
  }

  private async get(path: string): Promise<Record<string, unknown> | undefined> {
    const url = `${restBase(this.options.syncUrl!).base}${path}`;
    try {
      const res = await (this.options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) return (await res.json()) as Record<string, unknown>;
      this.options.logger?.warn({ url, status: res.status }, 'market stream: REST lookup failed');
    } catch (err) {
      this.options.logger?.warn({ err, url }, 'market stream: REST lookup failed');
    }
    return undefined;
  }

  /**
   * Pulls the live catalogue from the REST API after the writes queued so far (one at a time; a
   * request during a pull runs once more after it, since the pull may have started before the
   * change it must cover).
   */
  private resync(why: string): void {
    if (!this.options.syncUrl) return;
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        await this.queue;
        const started = Date.now();
        try {
          const now = this.now();
          const result = await pullCatalogue(this.store, this.options.syncUrl!, {
            now,
            minCloseTime: new Date(now.getTime() - 86_400_000),
            ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
          });
          this.stats.resyncs++;
          delete this.stats.lastResyncError;
          await this.announce([]);
          this.options.logger?.info(
            { why, ms: Date.now() - started, markets: result.markets.received, pages: result.pages },
            'market catalogue resynced',
          );
        } catch (err) {
          this.stats.lastResyncError = (err as Error).message;
          this.options.logger?.warn({ err, why }, 'market catalogue resync failed; the sync job retries');
        }
      } while (this.resyncAgain);
    })().finally(() => (this.resyncing = undefined));
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      this.options.logger?.error({ err }, 'market stream: a catalogue write failed');
    });
  }
}
