import { randomUUID } from 'node:crypto';
import type { ServingModel } from '../../models/core/types.js';
import { SibylError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { MarketCatalogue } from './catalogue/market-catalogue.js';
import { cardOf, type MarketCard } from './market-card.js';
import { decodeCursor, encodeCursor } from './pages/cursor.js';
import type { RankerAssignment, RankerChoice } from './rankers/ranker-assignment.js';
import { eligible } from './pipeline/filters.js';
import { publicReasons } from './pipeline/reasons.js';
import type { RankedItem, RankRequest } from './pipeline/rank-feed.js';
import { rankWithSharing } from './pipeline/shared-feeds.js';
import type { RankerConfig } from './rankers/ranker-config.js';
import { DEFAULT_RANKER, getRanker } from './rankers/rankers.js';
import type { ActiveModelSource } from './active-model.js';
import type { CatalogueMarket, CatalogueSnapshot } from './catalogue/market-catalogue.js';
import type { UserContext } from './user/user-context.js';
import type { FeedAttribution, FeedAttributionLookup, Surface } from '../domain/attribution.js';
import type { IngestEvents } from '../ingest/events/ingest-events.js';
import type { FeedSnapshot, FeedSnapshotStore } from './pages/snapshots.js';
import { marketPrice } from './catalogue/market-price.js';
import { DEFAULT_USER_CONTEXT, emptyUserContext, loadUserContext } from './user/user-context.js';
import { isStoreUnavailable } from '../store/unavailable.js';
import type { Logger } from '../log/logger.js';
import { UserContextCache, type UserContextCacheOptions } from './user/user-context-cache.js';

export interface FeedRequest {
  userId: string;
  limit: number;
  cursor?: string;
  /** Category names to keep (any case); empty keeps all. */
  categories: string[];
  /** Targeting attributes from the request; they override those stored in `users`. */
  attributes?: Record<string, string>;
  /**
   * The caller proved nothing (neither the user's token nor an API key): a never-seen user id is
   * then served the default ranker outside experiments, so made-up ids log no exposures.
   * @defaultValue false
   */
  anonymous?: boolean;
  /** Keep reasons that reveal the user's history; without, only reasons about the markets. @defaultValue true */
  personalReasons?: boolean;
}

/** A market card (./market-card.ts) with why it is in this feed. */
export interface FeedItem extends MarketCard {
  score: number;
  reasons: string[];
}

/** The response of `GET /v1/users/{userId}/feed` (docs/architecture.md, "HTTP API"). */
export interface FeedResponse {
  userId: string;
  feedId: string;
  ranker: string;
  /** Version of the model that ranked this feed (null for rankers without one). */
  model: string | null;
  experiment: { key: string; variation: string } | null;
  items: FeedItem[];
  nextCursor: string | null;
}

export interface FeedServiceOptions {
  minHorizonMs: number;
  maxPerEvent: number;
  snapshotTtlMs: number;
  /** Chooses each user's ranker; without it everyone gets `defaultRanker`. */
  assignment?: RankerAssignment;
  /** @defaultValue DEFAULT_RANKER (two-tower) */
  defaultRanker?: string;
  /** The active models, for model-based rankers; each serves its fallback while its kind has none. */
  model?: ActiveModelSource;
  /** Hold users' contexts between requests (invalidated by `events`); without it every request reads the store. */
  userCache?: UserContextCacheOptions;
  /** What ingestion stored, here and (relayed) on other replicas: cached contexts follow it. */
  events?: IngestEvents;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Serves feeds: the first page ranks and freezes the whole list in a snapshot; cursors page
 * through that snapshot, so pages never repeat or skip items even while scores move. Markets that
 * closed (or were dismissed) since the snapshot are dropped on the way out, never served.
 */
export class FeedService implements FeedAttributionLookup {
  private readonly now: () => Date;
  /** Users' contexts between requests, when configured. */
  readonly userContexts: UserContextCache | undefined;
  private lastStoreWarning = 0;

  constructor(
    private readonly store: Store,
    private readonly catalogue: MarketCatalogue,
    private readonly snapshots: FeedSnapshotStore,
    private readonly options: FeedServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.userContexts = options.userCache
      ? new UserContextCache((userId) => this.loadContext(userId, this.now()), options.userCache)
      : undefined;
    if (options.events) this.userContexts?.follow(options.events);
  }

  /**
   * The user's context; while the store is unreachable, the last one cached for them (however old),
   * else an empty one: the feed then ranks by what is in memory (the catalogue, the model's vector
   * for users it was trained on, popularity) instead of failing.
   */
  private async userContext(userId: string, now: Date): Promise<UserContext> {
    try {
      return await (this.userContexts?.get(userId) ?? this.loadContext(userId, now));
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      if (Date.now() - this.lastStoreWarning > 10_000) {
        this.lastStoreWarning = Date.now();
        this.options.logger?.warn({ err }, 'store unavailable: feeds served from cached data');
      }
      return this.userContexts?.peek(userId) ?? emptyUserContext(userId);
    }
  }

  /**
   * A context read from the store, with the open markets it names taken from the catalogue in
   * memory, and only interactions after the features watermark the catalogue last saw.
   */
  private loadContext(userId: string, now: Date): Promise<UserContext> {
    const catalogue = this.catalogue.peek();
    return loadUserContext(this.store, userId, now, DEFAULT_USER_CONTEXT, {
      openMarkets: catalogue?.byTicker,
      featuresSince: catalogue?.featuresWatermark,
    });
  }

  async getFeed(req: FeedRequest): Promise<FeedResponse> {
    const now = this.now();
    const categories = [...new Set(req.categories.map((c) => c.toLowerCase()))].sort();
    const [catalogue, user] = await Promise.all([
      this.catalogue.current(),
      this.userContext(req.userId, now),
    ]);
    const minCloseTime = new Date(now.getTime() + this.options.minHorizonMs);

    let snapshot: FeedSnapshot;
    /** A first page's snapshot, stored once the page shows how far it went. */
    let fresh: FeedSnapshot | undefined;
    let offset = 0;
    if (req.cursor) {
      const cursor = decodeCursor(req.cursor);
      const stored = await this.snapshots.get(cursor.feedId);
      if (!stored) {
        throw new SibylError(
          'cursor_expired',
          'This feed has expired: request the first page again (without cursor)',
          [{ path: 'query.cursor', message: 'expired' }],
        );
      }
      snapshot = stored;
      if (
        snapshot.userId !== req.userId ||
        (req.categories.length > 0 && categories.join() !== snapshot.categories.join())
      ) {
        throw new SibylError(
          'invalid_request',
          'cursor belongs to a different feed (user or category filter differs)',
          [{ path: 'query.cursor', message: 'does not match this request' }],
        );
      }
      offset = cursor.offset;
    } else {
      const choice =
        req.anonymous && !user.known
          ? this.defaultChoice()
          : await this.chooseRanker(req.userId, { ...user.attributes, ...req.attributes });
      const ranked = this.rank(getRanker(choice.ranker) ?? getRanker(DEFAULT_RANKER)!, catalogue, user, {
        now,
        categories,
        minCloseTime,
        maxPerEvent: this.options.maxPerEvent,
      });
      fresh = {
        feedId: randomUUID(),
        userId: req.userId,
        surface: 'feed' as const,
        ranker: ranked.ranker,
        rankerVersion: ranked.rankerVersion,
        model: ranked.model,
        items: ranked.items,
        experiment: choice.experiment,
        categories,
        createdAt: now,
      };
      snapshot = fresh;
    }

    // Items are served with the market's current card (title, quotes…), from the catalogue that
    // also decides whether they are still eligible.
    const page: FeedItem[] = [];
    const filter = { categories: snapshot.categories, minCloseTime };
    const servable = (ticker: string) => {
      const market = catalogue.byTicker.get(ticker);
      return market && eligible(market, user.dismissed, filter) ? market : undefined;
    };
    let next = offset;
    for (; next < snapshot.items.length && page.length < req.limit; next++) {
      const item = snapshot.items[next]!;
      const market = servable(item.ticker);
      if (!market) continue;
      page.push(feedItem(item, market, req.personalReasons ?? true));
    }
    const more = snapshot.items.slice(next).some((item) => servable(item.ticker) !== undefined);
    if (fresh) {
      fresh.served = { prices: servedPrices(fresh.items, catalogue), firstPage: next };
      await this.snapshots.put(fresh, this.options.snapshotTtlMs);
    }
    return {
      userId: req.userId,
      feedId: snapshot.feedId,
      ranker: snapshot.ranker,
      model: snapshot.model,
      experiment: snapshot.experiment,
      items: page,
      nextCursor: more ? encodeCursor({ feedId: snapshot.feedId, offset: next }) : null,
    };
  }

  /** A served feed's snapshot, while it lives (live pushes follow it). */
  servedFeed(feedId: string): Promise<FeedSnapshot | undefined> {
    return this.snapshots.get(feedId);
  }

  /**
   * The feed as its first page would rank it now, by the ranker and filters that ranked `feed`:
   * nothing is stored and no exposure logged (live pushes compare it with what was served).
   */
  async rankAgain(feed: Pick<FeedSnapshot, 'userId' | 'ranker' | 'categories'>): Promise<{
    items: RankedItem[];
    catalogue: CatalogueSnapshot;
  }> {
    const now = this.now();
    const [catalogue, user] = await Promise.all([
      this.catalogue.current(),
      this.userContext(feed.userId, now),
    ]);
    const ranked = this.rank(getRanker(feed.ranker) ?? getRanker(DEFAULT_RANKER)!, catalogue, user, {
      now,
      categories: feed.categories,
      minCloseTime: new Date(now.getTime() + this.options.minHorizonMs),
      maxPerEvent: this.options.maxPerEvent,
    });
    return { items: ranked.items, catalogue };
  }

  /**
   * The first page `ranker` would serve the user now, for previews: no experiment assignment, no
   * exposure and no snapshot, so looking changes nothing the experiment measures.
   */
  async previewFeed(req: {
    userId: string;
    ranker: RankerConfig;
    limit: number;
  }): Promise<Omit<FeedResponse, 'feedId' | 'nextCursor' | 'experiment'>> {
    const now = this.now();
    const [catalogue, user] = await Promise.all([
      this.catalogue.current(),
      this.userContext(req.userId, now),
    ]);
    const ranked = this.rank(req.ranker, catalogue, user, {
      now,
      categories: [],
      minCloseTime: new Date(now.getTime() + this.options.minHorizonMs),
      maxPerEvent: this.options.maxPerEvent,
    });
    const items = ranked.items.slice(0, req.limit).flatMap((item): FeedItem[] => {
      const market = catalogue.byTicker.get(item.ticker);
      return market ? [feedItem(item, market)] : [];
    });
    return { userId: req.userId, ranker: ranked.ranker, model: ranked.model, items };
  }

  /**
   * Records a list served to a user on another surface (a market's similar markets, trending) as
   * a snapshot, so that impressions and clicks naming its feedId are attributed to it.
   */
  async recordServed(served: {
    userId: string;
    surface: Exclude<Surface, 'feed'>;
    ranker: string;
    model: string | null;
    tickers: string[];
  }): Promise<string> {
    const feedId = randomUUID();
    await this.snapshots.put(
      {
        feedId,
        userId: served.userId,
        surface: served.surface,
        ranker: served.ranker,
        rankerVersion: 1,
        model: served.model,
        experiment: null,
        categories: [],
        createdAt: this.now(),
        items: served.tickers.map((ticker) => ({ ticker, score: 0, reasons: [] })),
      },
      this.options.snapshotTtlMs,
    );
    return feedId;
  }

  /** What ranked each of these feeds (those whose snapshot has not expired). */
  async attributions(feedIds: string[]): Promise<Map<string, FeedAttribution>> {
    const out = new Map<string, FeedAttribution>();
    for (const feedId of feedIds) {
      const snapshot = await this.snapshots.get(feedId);
      if (snapshot)
        out.set(feedId, {
          userId: snapshot.userId,
          surface: snapshot.surface ?? 'feed',
          ranker: snapshot.ranker,
          rankerVersion: snapshot.rankerVersion,
          model: snapshot.model,
          experiment: snapshot.experiment,
        });
    }
    return out;
  }

  /**
   * Runs a ranker configuration (a model-based one with its kind's active model and the blend
   * learned for that model, if any). A model-based ranker whose kind has no loaded model serves its
   * fallback and says so in `ranker`, so exposures and clicks are attributed to what actually ranked.
   */
  private rank(
    config: RankerConfig,
    catalogue: CatalogueSnapshot,
    user: UserContext,
    req: RankRequest,
  ): { ranker: string; rankerVersion: number; model: string | null; items: RankedItem[] } {
    if (config.model) {
      const model = this.options.model?.current(config.model);
      if (model)
        return {
          ranker: config.name,
          rankerVersion: config.version,
          model: model.version,
          items: rankWithSharing(catalogue, user, req, withLearnedBlend(config, model), model),
        };
      config = getRanker(config.fallback!)!;
    }
    return {
      ranker: config.name,
      rankerVersion: config.version,
      model: null,
      items: rankWithSharing(catalogue, user, req, config),
    };
  }

  /**
   * The user's ranker, by their stored targeting attributes overridden by the request's. Only first
   * pages assign (and so log an exposure); later pages serve the snapshot's ranker.
   */
  private async chooseRanker(userId: string, attributes: Record<string, unknown>): Promise<RankerChoice> {
    if (!this.options.assignment) return this.defaultChoice();
    return await this.options.assignment.assign(userId, { ...attributes, id: userId });
  }

  /** The ranker of users outside experiments. */
  private defaultChoice(): RankerChoice {
    return { ranker: this.options.defaultRanker ?? DEFAULT_RANKER, experiment: null };
  }
}

/** Each ranked market's price as served (NaN for one not quoted or no longer in the catalogue). */
function servedPrices(items: readonly { ticker: string }[], catalogue: CatalogueSnapshot): Float64Array {
  const prices = new Float64Array(items.length);
  items.forEach((item, i) => {
    const market = catalogue.byTicker.get(item.ticker);
    prices[i] = market ? marketPrice(market) : Number.NaN;
  });
  return prices;
}

/** A ranked item as served: the market's current card (title, quotes…) and why it is here. */
function feedItem(item: RankedItem, market: CatalogueMarket, personalReasons = true): FeedItem {
  return {
    ...cardOf(market),
    score: item.score,
    reasons: personalReasons ? item.reasons : publicReasons(item.reasons),
  };
}

/** Per model and ranker, the ranker's configuration with the model's learned weights. */
const blended = new WeakMap<ServingModel, Map<string, RankerConfig>>();

function withLearnedBlend(config: RankerConfig, model: ServingModel): RankerConfig {
  const weights = model.blends?.[config.name];
  if (!weights) return config;
  let byRanker = blended.get(model);
  if (!byRanker) blended.set(model, (byRanker = new Map()));
  let out = byRanker.get(config.name);
  if (!out) byRanker.set(config.name, (out = { ...config, weights: { ...config.weights, ...weights } }));
  return out;
}
