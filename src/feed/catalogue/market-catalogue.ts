import type { IngestEvents } from '../../ingest/events/ingest-events.js';
import type { MarketDoc } from '../../domain/documents.js';
import type { ItemContent } from '../../../models/core/types.js';
import { marketContentTokens } from '../../../models/data/market-content.js';
import { coll } from '../../store/collections.js';
import type { Store } from '../../store/types.js';
import type { FeatureState } from '../../features/refresh.js';
import { marketPrice } from './market-price.js';
import { DAY_MS } from '../../util/durations.js';

/** An open market as the ranking pipeline sees it, with its popularity signals precomputed. */
export interface CatalogueMarket {
  ticker: string;
  eventTicker: string;
  seriesTicker?: string;
  title: string;
  /** The outcome this market is about (Kalshi's yes_sub_title), when it has one. */
  subtitle?: string;
  /** Always `open` in a snapshot (it holds open markets only); kept so cards show what is stored. */
  status: MarketDoc['status'];
  /** Its event's and series' titles, for cards (absent while they are unknown). */
  eventTitle?: string;
  seriesTitle?: string;
  category: string;
  /** Lower-cased category, for filters. */
  categoryKey: string;
  openTime?: Date;
  closeTime: Date;
  volume24h: number;
  /** Quotes in dollars (0..1), when the exchange has sent them. */
  yesBid?: number;
  yesAsk?: number;
  lastPrice?: number;
  /** Standardized log 24h volume across open markets. */
  popularity: number;
  /** Standardized 24h volume against the market's own daily average so far. */
  trend: number;
  /** Standardized log of the users' interest decayed over all history (recency-weighted popularity). */
  recency: number;
  /** Among the most trending of its category. */
  trendingInCategory: boolean;
  /**
   * No volume and no engagement on record: none of the blend's evidence terms can judge it yet,
   * which is what exploration slots are for.
   */
  unproven: boolean;
  /** Content tokens (category, series, event, tags, title words, price and duration buckets). */
  content: ItemContent;
}

export interface CatalogueSnapshot {
  loadedAt: Date;
  markets: CatalogueMarket[];
  byTicker: Map<string, CatalogueMarket>;
  /** Co-interaction neighbours (market_neighbours) of every market that has them, closed ones too. */
  neighbours: ReadonlyMap<string, readonly Neighbour[]>;
  /** The features watermark when this snapshot was loaded (absent before the first refresh). */
  featuresWatermark?: Date;
  /**
   * Every category a feed may be filtered on, by lower-cased key: those of the open markets and of
   * the known series (a category with nothing open now is still a category).
   */
  categories: ReadonlyMap<string, string>;
}

export interface Neighbour {
  ticker: string;
  /** Cosine over the users who engaged with both, in (0, 1]. */
  score: number;
}

export function catalogueSnapshot(
  loadedAt: Date,
  markets: CatalogueMarket[],
  neighbours: ReadonlyMap<string, readonly Neighbour[]> = new Map(),
  featuresWatermark?: Date,
  knownCategories: string[] = [],
): CatalogueSnapshot {
  const categories = new Map<string, string>();
  for (const name of [...markets.map((m) => m.category), ...knownCategories])
    if (!categories.has(name.toLowerCase())) categories.set(name.toLowerCase(), name);
  return {
    loadedAt,
    markets,
    byTicker: new Map(markets.map((m) => [m.ticker, m])),
    neighbours,
    ...(featuresWatermark ? { featuresWatermark } : {}),
    categories,
  };
}

export interface MarketCatalogueOptions {
  /** Reload when the snapshot is older than this (CATALOGUE_REFRESH_SECONDS, in ms). */
  refreshMs: number;
  /**
   * Runs on each new snapshot before it is published (e.g. the model's market vectors), so no
   * request pays for it. A failure is logged by the caller's hook and does not block the snapshot.
   */
  prepare?: (snapshot: CatalogueSnapshot) => void;
  /** Called when a reload finds that features were refreshed since the previous one (their asOf moved). */
  onFeaturesRefreshed?: () => void;
  /** Catalogue writes through this process: each reloads the catalogue before the write is answered. */
  events?: IngestEvents;
  now?: () => Date;
}

/**
 * What a refresh changed, for live pushes: markets that left the catalogue (with the status the
 * store gives them: closed, paused, settled…), markets new to it, and markets still in it whose
 * price moved. Not emitted for the first load.
 */
export interface CatalogueChanges {
  snapshot: CatalogueSnapshot;
  removed: { ticker: string; status: string }[];
  listed: string[];
  repriced: string[];
}

/** A refresh waiting to run: the whole catalogue, or just these markets. */
interface PendingRefresh {
  full: boolean;
  tickers: Set<string>;
  done: Promise<CatalogueSnapshot>;
  settle: { resolve: (s: CatalogueSnapshot) => void; reject: (err: unknown) => void };
}

/**
 * The open markets, held in memory and reloaded at most every `refreshMs`, so a feed request
 * costs no catalogue query and a market that closes leaves every feed within that interval.
 * A catalogue write that names its markets (a market PUT, the live stream) refreshes just those
 * markets; other writes reload everything. Readers get the current snapshot while a refresh runs
 * (never a half-built one), and `onChange` listeners learn what each refresh changed.
 */
export class MarketCatalogue {
  private snapshot?: CatalogueSnapshot;
  /** The refresh running, and the one gathering requests behind it. */
  private running?: Promise<void>;
  private pending?: PendingRefresh;
  private scales?: MarketScales;
  private readonly listeners = new Set<(changes: CatalogueChanges) => void>();
  /** Neighbours change only when features refresh: reloaded when their asOf moves. */
  private neighbours: { asOf: number; byTicker: ReadonlyMap<string, readonly Neighbour[]> } = {
    asOf: -1,
    byTicker: new Map(),
  };
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    private readonly options: MarketCatalogueOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    options.events?.on('catalogueStored', async ({ tickers }) => {
      await (tickers?.length ? this.refreshMarkets(tickers) : this.reload());
    });
  }

  async current(): Promise<CatalogueSnapshot> {
    const snapshot = this.snapshot;
    if (!snapshot) return this.reload();
    // A refresh for age alone needs no second load behind one already running.
    if (!this.running && this.now().getTime() - snapshot.loadedAt.getTime() >= this.options.refreshMs)
      void this.reload().catch(() => {});
    return snapshot;
  }

  /**
   * Loads the store's current catalogue (after a catalogue write, here or relayed). A reload asked
   * for while one runs is done once more after it, since the running one may have read before the
   * write it must show; requests meanwhile share that second load.
   */
  reload(): Promise<CatalogueSnapshot> {
    return this.request(true, []);
  }

  /** Reads just these markets again (listed, repriced, paused, closed…); a full load if none is loaded yet. */
  refreshMarkets(tickers: readonly string[]): Promise<CatalogueSnapshot> {
    return this.request(false, tickers);
  }

  /** Calls `listener` after every refresh that changed something; returns its unsubscribe. */
  onChange(listener: (changes: CatalogueChanges) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get loaded(): boolean {
    return this.snapshot !== undefined;
  }

  /** The current snapshot if one is loaded, without triggering a refresh. */
  peek(): CatalogueSnapshot | undefined {
    return this.snapshot;
  }

  private request(full: boolean, tickers: readonly string[]): Promise<CatalogueSnapshot> {
    if (!this.pending) {
      let settle!: PendingRefresh['settle'];
      const done = new Promise<CatalogueSnapshot>((resolve, reject) => (settle = { resolve, reject }));
      this.pending = { full: false, tickers: new Set(), done, settle };
    }
    const pending = this.pending;
    pending.full ||= full;
    for (const t of tickers) pending.tickers.add(t);
    this.running ??= this.drain();
    return pending.done;
  }

  /**
   * Runs refreshes one at a time; requests made during one are merged into the next. `running` is
   * cleared in the same turn the last pending check fails, so no request can slip between the two.
   */
  private async drain(): Promise<void> {
    for (;;) {
      if (!this.pending) {
        this.running = undefined;
        return;
      }
      const pass = this.pending;
      this.pending = undefined;
      try {
        const previous = this.snapshot;
        // A partial refresh read the statuses of the markets it names (why they left, if they did).
        const statuses = new Map<string, string>();
        const next =
          pass.full || !previous
            ? await this.load()
            : await this.loadMarkets(previous, [...pass.tickers], statuses);
        this.publish(next);
        if (previous) await this.announce(previous, next, pass.full ? undefined : pass.tickers, statuses);
        pass.settle.resolve(next);
      } catch (err) {
        pass.settle.reject(err);
      }
    }
  }

  private publish(snapshot: CatalogueSnapshot): void {
    try {
      this.options.prepare?.(snapshot);
    } catch {
      // Whatever prepare would have precomputed is computed on first use instead.
    }
    this.snapshot = snapshot;
  }

  private async load(): Promise<CatalogueSnapshot> {
    const loadedAt = this.now();
    const docs = await coll(this.store, 'markets')
      .find({ status: 'open', closeTime: { $gt: loadedAt } }, { projection: { _id: 0 } })
      .toArray();
    const { content, titles } = await contentOfMarkets(this.store, docs);
    const { markets, scales } = scoreMarketsOn(docs, loadedAt, await this.activityOf(docs), content, titles);
    this.scales = scales;
    const { neighbours, watermark } = await this.loadNeighbours();
    return catalogueSnapshot(loadedAt, markets, neighbours, watermark, await this.knownCategories());
  }

  /** Activity features of these markets (absent before the first feature refresh, or for markets nobody touched). */
  private async activityOf(docs: MarketDoc[]): Promise<Map<string, MarketActivity>> {
    const features = await this.store
      .collection<MarketActivity>('market_features')
      .find(
        { ticker: { $in: docs.map((d) => d.ticker) } },
        { projection: { _id: 0, ticker: 1, users7d: 1, trend: 1, recency: 1 } },
      )
      .toArray();
    return new Map(features.map((f) => [f.ticker, f]));
  }

  /**
   * The previous snapshot with these markets read again: those no longer open leave, new open ones
   * join (scored against the last full load's population), and the rest take their new quotes,
   * times and titles while keeping their popularity signals until the next full load.
   */
  private async loadMarkets(
    previous: CatalogueSnapshot,
    tickers: string[],
    statuses: Map<string, string>,
  ): Promise<CatalogueSnapshot> {
    const now = this.now();
    const docs = await coll(this.store, 'markets')
      .find({ ticker: { $in: tickers } }, { projection: { _id: 0 } })
      .toArray();
    for (const d of docs) statuses.set(d.ticker, d.status === 'open' ? 'closed' : d.status);
    const open = docs.filter((d) => d.status === 'open' && d.closeTime.getTime() > now.getTime());
    const openTickers = new Set(open.map((d) => d.ticker));
    const gone = new Set(docs.filter((d) => !openTickers.has(d.ticker)).map((d) => d.ticker));
    const [activity, { content, titles }] = await Promise.all([
      this.activityOf(open.filter((d) => !previous.byTicker.has(d.ticker))),
      contentOfMarkets(this.store, open),
    ]);
    const { markets: scored } = scoreMarketsOn(open, now, activity, content, titles, this.scales);
    const fresh = new Map(
      scored.map((m) => {
        const before = previous.byTicker.get(m.ticker);
        const kept = before && {
          popularity: before.popularity,
          trend: before.trend,
          recency: before.recency,
          trendingInCategory: before.trendingInCategory,
        };
        return [m.ticker, kept ? { ...m, ...kept } : m];
      }),
    );
    const markets = previous.markets.filter((m) => !gone.has(m.ticker)).map((m) => fresh.get(m.ticker) ?? m);
    for (const m of fresh.values()) if (!previous.byTicker.has(m.ticker)) markets.push(m);
    // Refreshed between full loads: the next age-based refresh still comes on time.
    return catalogueSnapshot(previous.loadedAt, markets, previous.neighbours, previous.featuresWatermark, [
      ...previous.categories.values(),
    ]);
  }

  /** Tells listeners what changed between two snapshots (over `tickers` only, for a partial refresh). */
  private async announce(
    before: CatalogueSnapshot,
    after: CatalogueSnapshot,
    tickers?: Set<string>,
    known = new Map<string, string>(),
  ): Promise<void> {
    if (this.listeners.size === 0) return;
    const removed: string[] = [];
    const listed: string[] = [];
    const repriced: string[] = [];
    const compare = (ticker: string) => {
      const was = before.byTicker.get(ticker);
      const is = after.byTicker.get(ticker);
      if (was && !is) removed.push(ticker);
      else if (!was && is) listed.push(ticker);
      else if (was && is && !samePrice(marketPrice(was), marketPrice(is))) repriced.push(ticker);
    };
    if (tickers) for (const t of tickers) compare(t);
    else {
      for (const t of before.byTicker.keys()) compare(t);
      for (const t of after.byTicker.keys()) if (!before.byTicker.has(t)) listed.push(t);
    }
    if (removed.length + listed.length + repriced.length === 0) return;
    const statuses = await this.statusesOf(removed.filter((t) => !known.has(t)));
    for (const [ticker, status] of known) statuses.set(ticker, status);
    const changes: CatalogueChanges = {
      snapshot: after,
      removed: removed.map((ticker) => ({ ticker, status: statuses.get(ticker) ?? 'closed' })),
      listed,
      repriced,
    };
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch {
        // A listener's failure is its own (the push hub logs its own).
      }
    }
  }

  /** Why markets left: their stored status (a market past its close time that nobody marked counts as closed). */
  private async statusesOf(tickers: string[]): Promise<Map<string, string>> {
    if (tickers.length === 0) return new Map();
    try {
      const docs = await coll(this.store, 'markets')
        .find({ ticker: { $in: tickers } }, { projection: { _id: 0, ticker: 1, status: 1 } })
        .toArray();
      return new Map(docs.map((d) => [d.ticker, d.status === 'open' ? 'closed' : d.status]));
    } catch {
      return new Map(); // the store is down: they left, which is what matters
    }
  }

  /**
   * Categories of the series: a few hundred documents, where events number hundreds of thousands
   * over time (their categories are their series', or their open markets').
   */
  private async knownCategories(): Promise<string[]> {
    const series = await this.store.collection('series').distinct('category');
    return series.filter((c): c is string => typeof c === 'string' && c !== '');
  }

  /** The latest refresh's neighbour lists, and its watermark. */
  private async loadNeighbours(): Promise<{
    neighbours: ReadonlyMap<string, readonly Neighbour[]>;
    watermark?: Date;
  }> {
    const state = await this.store.collection<FeatureState>('feature_state').findOne({ _id: 'features' });
    const watermark = state?.watermark;
    const asOf = state?.asOf?.getTime() ?? 0;
    if (asOf === this.neighbours.asOf) return { neighbours: this.neighbours.byTicker, watermark };
    if (this.neighbours.asOf !== -1) this.options.onFeaturesRefreshed?.();
    // Only the latest run's lists: a market absent from it has no neighbours any more.
    const docs = await this.store
      .collection('market_neighbours')
      .find(
        { asOf: state?.asOf ?? null },
        { projection: { _id: 0, ticker: 1, 'neighbours.ticker': 1, 'neighbours.score': 1 } },
      )
      .toArray();
    const byTicker = new Map(docs.map((d) => [d.ticker as string, (d.neighbours ?? []) as Neighbour[]]));
    this.neighbours = { asOf, byTicker };
    return { neighbours: byTicker, watermark };
  }
}

/** What the catalogue reads of `market_features`. */
export interface MarketActivity {
  ticker: string;
  users7d: number;
  trend: number;
  /** Positive interest decayed to the features' asOf, over all history (absent before it is built). */
  recency?: number;
}

/**
 * Popularity is 24h traded volume plus, once features exist, the users who engaged over 7 days;
 * trend is the feature pipeline's (users today against the market's own baseline), or, before any
 * features exist, 24h volume against the market's daily average.
 */
export function scoreMarkets(
  docs: MarketDoc[],
  now: Date,
  activity = new Map<string, MarketActivity>(),
  content = new Map<string, ItemContent>(),
  titles = new Map<string, RelatedTitles>(),
): CatalogueMarket[] {
  return scoreMarketsOn(docs, now, activity, content, titles).markets;
}

/** Mean and spread (standard deviation, at least MIN_SPREAD) of each standardized signal, over the markets of a full load. */
export interface MarketScales {
  pop: Moments;
  trend: Moments;
  recency: Moments;
  /** Whether features existed then (a market without any is flat, not unknown). */
  featuresExist: boolean;
}
interface Moments {
  mean: number;
  sd: number;
}

/**
 * `scoreMarkets`, standardized on `scales` when given (markets added between full loads are scored
 * against the population of the last one) or on the markets themselves, whose scales are returned.
 */
export function scoreMarketsOn(
  docs: MarketDoc[],
  now: Date,
  activity: Map<string, MarketActivity>,
  content: Map<string, ItemContent>,
  titles: Map<string, RelatedTitles>,
  given?: MarketScales,
): { markets: CatalogueMarket[]; scales: MarketScales } {
  const featuresExist = given?.featuresExist ?? activity.size > 0;
  const raw = docs.map((doc) => {
    const v24 = doc.volume24h ?? 0;
    const ageDays = doc.openTime ? Math.max(1, (now.getTime() - doc.openTime.getTime()) / DAY_MS) : 1;
    const dailyAverage = (doc.volume ?? v24) / ageDays;
    const features = activity.get(doc.ticker);
    // Once features exist, a market without any had no engagement in their window: flat, not unknown.
    const trend = features ? features.trend : featuresExist ? 0 : Math.log1p(v24) - Math.log1p(dailyAverage);
    return {
      doc,
      pop: Math.log1p(v24) + Math.log1p(features?.users7d ?? 0),
      trend,
      recency: Math.log1p(features?.recency ?? 0),
      unproven: !(doc.volume ?? 0) && !v24 && !features?.users7d && !features?.recency,
    };
  });
  const scales: MarketScales = given ?? {
    pop: moments(raw.map((r) => r.pop)),
    trend: moments(raw.map((r) => r.trend)),
    recency: moments(raw.map((r) => r.recency)),
    featuresExist,
  };
  const zPop = standardizer(scales.pop);
  const zTrend = standardizer(scales.trend);
  const zRecency = standardizer(scales.recency);
  const markets: CatalogueMarket[] = raw.map(({ doc, pop, trend, recency, unproven }) => ({
    ticker: doc.ticker,
    eventTicker: doc.eventTicker,
    seriesTicker: doc.seriesTicker,
    title: doc.title,
    ...(doc.subtitle ? { subtitle: doc.subtitle } : {}),
    status: doc.status,
    ...titles.get(doc.ticker),
    category: doc.category ?? 'Other',
    categoryKey: (doc.category ?? 'Other').toLowerCase(),
    openTime: doc.openTime,
    closeTime: doc.closeTime,
    volume24h: doc.volume24h ?? 0,
    ...(doc.yesBid !== undefined ? { yesBid: doc.yesBid } : {}),
    ...(doc.yesAsk !== undefined ? { yesAsk: doc.yesAsk } : {}),
    ...(doc.lastPrice !== undefined ? { lastPrice: doc.lastPrice } : {}),
    popularity: zPop(pop),
    trend: zTrend(trend),
    recency: zRecency(recency),
    trendingInCategory: false,
    unproven,
    content: content.get(doc.ticker) ?? marketContentTokens(doc),
  }));
  // Between full loads a handful of new markets cannot say what trends in their category.
  if (!given) markTrendingPerCategory(markets);
  return { markets, scales };
}

/** A market's event and series titles, as far as they are known. */
export interface RelatedTitles {
  eventTitle?: string;
  seriesTitle?: string;
}

/** Content tokens of the markets, with their events' and series' fields, and their titles (two queries). */
async function contentOfMarkets(
  store: Store,
  docs: MarketDoc[],
): Promise<{ content: Map<string, ItemContent>; titles: Map<string, RelatedTitles> }> {
  const eventTickers = [...new Set(docs.map((d) => d.eventTicker))];
  const events = await coll(store, 'events')
    .find(
      { eventTicker: { $in: eventTickers } },
      { projection: { _id: 0, eventTicker: 1, seriesTicker: 1, title: 1, category: 1 } },
    )
    .toArray();
  const eventOf = new Map(events.map((e) => [e.eventTicker, e]));
  const seriesTickers = [
    ...new Set(docs.map((d) => d.seriesTicker ?? eventOf.get(d.eventTicker)?.seriesTicker)),
  ];
  const series = await coll(store, 'series')
    .find(
      { ticker: { $in: seriesTickers.filter((t): t is string => !!t) } },
      { projection: { _id: 0, ticker: 1, category: 1, tags: 1, title: 1 } },
    )
    .toArray();
  const seriesOf = new Map(series.map((s) => [s.ticker, s]));
  const content = new Map<string, ItemContent>();
  const titles = new Map<string, RelatedTitles>();
  for (const d of docs) {
    const event = eventOf.get(d.eventTicker);
    const ofSeries = seriesOf.get(d.seriesTicker ?? event?.seriesTicker ?? '');
    content.set(d.ticker, marketContentTokens(d, event, ofSeries));
    titles.set(d.ticker, {
      ...(event?.title ? { eventTitle: event.title } : {}),
      ...(ofSeries?.title ? { seriesTitle: ofSeries.title } : {}),
    });
  }
  return { content, titles };
}

/** The top tenth of each category by trend (and with real volume) is "trending in" it. */
function markTrendingPerCategory(markets: CatalogueMarket[]): void {
  const byCategory = new Map<string, CatalogueMarket[]>();
  for (const m of markets) {
    const list = byCategory.get(m.categoryKey) ?? [];
    list.push(m);
    byCategory.set(m.categoryKey, list);
  }
  for (const list of byCategory.values()) {
    const ranked = list.filter((m) => m.volume24h > 0).sort((a, b) => b.trend - a.trend);
    for (const m of ranked.slice(0, Math.max(1, Math.ceil(ranked.length / 10)))) m.trendingInCategory = true;
  }
}

/** Prices equal to the hundredth of a cent, or both unquoted. */
const samePrice = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) < 1e-6);

/**
 * The smallest spread a signal is standardized by: one event's difference in a log count (ln 2).
 * Popularity, trend and recency are logs of counts. Where their windows hold few events (a quiet
 * exchange, a log slower than a day) most markets sit at zero and the catalogue's spread is tiny,
 * so a market with a single event would stand ten or more deviations out and outweigh the model
 * in every blend; its evidence is one event. On simulated logs stretched thirty times in time, the
 * two-tower's configured blend ranked the test period at mean nDCG@10 0.074 unfloored and 0.105
 * floored (BENCHMARKS.md, "Then a signal never outweighs its evidence"). On the simulated exchange the
 * spreads of popularity and recency are above the floor; trend's (about 0.39) is not, so trend
 * counts about half what it did there, and learned blends weigh it again.
 */
const MIN_SPREAD = Math.LN2;

/** Mean and spread of a signal over the catalogue, the spread at least MIN_SPREAD (none: zero). */
function moments(values: number[]): Moments {
  if (values.length === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd: sd > 0 ? Math.max(sd, MIN_SPREAD) : 0 };
}

function standardizer({ mean, sd }: Moments): (v: number) => number {
  return sd > 0 ? (v) => (v - mean) / sd : () => 0;
}
