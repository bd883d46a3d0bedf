import type { IngestEvents } from '../../ingest/events/ingest-events.js';
import type { MarketDoc } from '../../domain/documents.js';
import type { ItemContent } from '../../../models/core/types.js';
import { marketContentTokens } from '../../../models/data/market-content.js';
import { coll } from '../../store/collections.js';
import type { Store } from '../../store/types.js';
import type { FeatureState } from '../../features/refresh.js';

const DAY_MS = 86_400_000;

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
 * The open markets, held in memory and reloaded at most every `refreshMs`, so a feed request
 * costs no catalogue query and a market that closes leaves every feed within that interval.
 * Readers get the current snapshot while a reload runs (never a half-built one).
 */
export class MarketCatalogue {
  private snapshot?: CatalogueSnapshot;
  private loading?: Promise<CatalogueSnapshot>;
  private again?: Promise<CatalogueSnapshot>;
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
    options.events?.on('catalogueStored', async () => {
      await this.reload();
    });
  }

  async current(): Promise<CatalogueSnapshot> {
    const snapshot = this.snapshot;
    if (!snapshot) return this.reload();
    // A refresh for age alone needs no second load behind one already running.
    if (!this.loading && this.now().getTime() - snapshot.loadedAt.getTime() >= this.options.refreshMs)
      void this.reload().catch(() => {});
    return snapshot;
  }

  /**
   * Loads the store's current catalogue (after a catalogue write, here or relayed). A reload asked
   * for while one runs is done once more after it, since the running one may have read before the
   * write it must show; requests meanwhile share that second load.
   */
  async reload(): Promise<CatalogueSnapshot> {
    if (this.loading) {
      this.again ??= this.loading
        .catch(() => undefined)
        .then(() => {
          this.again = undefined;
          return this.reload();
        });
      return this.again;
    }
    this.loading = this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  get loaded(): boolean {
    return this.snapshot !== undefined;
  }

  /** The current snapshot if one is loaded, without triggering a refresh. */
  peek(): CatalogueSnapshot | undefined {
    return this.snapshot;
  }

  private async load(): Promise<CatalogueSnapshot> {
    const loadedAt = this.now();
    const docs = await coll(this.store, 'markets')
      .find({ status: 'open', closeTime: { $gt: loadedAt } }, { projection: { _id: 0 } })
      .toArray();
    // Activity features of the open markets (absent before the first feature refresh, or for markets nobody touched).
    const features = await this.store
      .collection<MarketActivity>('market_features')
      .find(
        { ticker: { $in: docs.map((d) => d.ticker) } },
        { projection: { _id: 0, ticker: 1, users7d: 1, trend: 1, recency: 1 } },
      )
      .toArray();
    const { content, titles } = await contentOfMarkets(this.store, docs);
    const markets = scoreMarkets(
      docs,
      loadedAt,
      new Map(features.map((f) => [f.ticker, f])),
      content,
      titles,
    );
    const { neighbours, watermark } = await this.loadNeighbours();
    const snapshot = catalogueSnapshot(
      loadedAt,
      markets,
      neighbours,
      watermark,
      await this.knownCategories(),
    );
    try {
      this.options.prepare?.(snapshot);
    } catch {
      // Whatever prepare would have precomputed is computed on first use instead.
    }
    this.snapshot = snapshot;
    return snapshot;
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
  const raw = docs.map((doc) => {
    const v24 = doc.volume24h ?? 0;
    const ageDays = doc.openTime ? Math.max(1, (now.getTime() - doc.openTime.getTime()) / DAY_MS) : 1;
    const dailyAverage = (doc.volume ?? v24) / ageDays;
    const features = activity.get(doc.ticker);
    // Once features exist, a market without any had no engagement in their window: flat, not unknown.
    const trend = features
      ? features.trend
      : activity.size > 0
        ? 0
        : Math.log1p(v24) - Math.log1p(dailyAverage);
    return {
      doc,
      pop: Math.log1p(v24) + Math.log1p(features?.users7d ?? 0),
      trend,
      recency: Math.log1p(features?.recency ?? 0),
    };
  });
  const zPop = standardizer(raw.map((r) => r.pop));
  const zTrend = standardizer(raw.map((r) => r.trend));
  const zRecency = standardizer(raw.map((r) => r.recency));
  const markets: CatalogueMarket[] = raw.map(({ doc, pop, trend, recency }) => ({
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
    content: content.get(doc.ticker) ?? marketContentTokens(doc),
  }));
  markTrendingPerCategory(markets);
  return markets;
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

function standardizer(values: number[]): (v: number) => number {
  if (values.length === 0) return () => 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return sd > 0 ? (v) => (v - mean) / sd : () => 0;
}
