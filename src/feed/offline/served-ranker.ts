import type {
  FitOptions,
  ItemContent,
  Recommender,
  ServingModel,
  TrainSet,
} from '../../../models/core/types.js';
import { CONFIG_DEFAULTS } from '../../config/env.js';
import { DEFAULT_HALF_LIFE_MS } from '../../domain/interaction-weights.js';
import type { MarketDoc } from '../../domain/documents.js';
import {
  catalogueSnapshot,
  scoreMarkets,
  type CatalogueSnapshot,
  type MarketActivity,
} from '../catalogue/market-catalogue.js';
import {
  feedCandidates,
  rankCandidates,
  type BlendWeights,
  type FeedCandidates,
  type RankRequest,
} from '../pipeline/rank-feed.js';
import { offlineNeighbours } from './offline-neighbours.js';
import type { RankerConfig } from '../rankers/ranker-config.js';
import { RANKERS } from '../rankers/rankers.js';
import type { HistoryEntry, UserContext } from '../user/user-context.js';
import { DAY_MS } from '../../util/durations.js';

/** Markets of an offline catalogue close far beyond the cut: closing-soon is neutral there. */
const OPEN_FOR_MS = 365 * DAY_MS;

export interface ServedRankerOptions {
  /** The fitted model a model-based ranker serves with (absent: it serves its fallback's blend without the model term). */
  model?: () => ServingModel | undefined;
  /** As FEED_MAX_PER_EVENT. @defaultValue FEED_MAX_PER_EVENT's default (CONFIG_DEFAULTS) */
  maxPerEvent?: number;
  /** The blend's weights, when learned (blend-fit.ts): as serving uses the active model's. @defaultValue the config's */
  weights?: () => BlendWeights | undefined;
}

/** The value after `<prefix>:` among an item's content tokens (models/data/market-content.ts). */
function tokenValue(content: ItemContent | undefined, prefix: string): string | undefined {
  const token = content?.find((t) => t.startsWith(`${prefix}:`));
  return token?.slice(prefix.length + 1);
}

/**
 * A served ranker as an offline recommender: the feed's own pipeline (`rankFeed`: candidate
 * sources, filters, blend, diversity, exploration) run for each evaluated user over a catalogue
 * rebuilt from the split's training rows as of the cut, so `sibyl eval` measures what feeds serve.
 *
 * - Catalogue: every item, open at the cut; category, series and event from its content tokens
 *   (without content: one category, each item its own event, so those terms are neutral); opened
 *   when first seen; popularity from 24h weighted activity and 7-day users, trend from users in the
 *   last day against the 7-day daily average, recency as every row's weight decayed to the cut with
 *   the features' half-life (the catalogue's own formulas, `scoreMarkets`);
 *   co-interaction neighbours as the features job would have built them at the cut.
 * - User: history newest first, category and series affinities decayed towards the cut with the
 *   serving half-life; their training items are excluded from the feed, as the evaluator does.
 */
export class ServedRankerRecommender implements Recommender {
  readonly name: string;
  private snapshot?: CatalogueSnapshot;
  private train?: TrainSet;
  private itemIndex = new Map<string, number>();
  /** Training rows per user, newest first: offsets into `rows`. */
  private userStart = new Int32Array(0);
  private rows = new Int32Array(0);

  constructor(
    private readonly config: RankerConfig,
    private readonly options: ServedRankerOptions = {},
  ) {
    this.name = config.name;
  }

  async fit(train: TrainSet, _options?: FitOptions): Promise<void> {
    this.train = train;
    const { log, numItems, numUsers, cutoffMs } = train;
    const firstSeen = new Float64Array(numItems).fill(Infinity);
    const total = new Float64Array(numItems);
    const last24h = new Float64Array(numItems);
    const recency = new Float64Array(numItems);
    const users24h = Array.from({ length: numItems }, () => new Set<number>());
    const users7d = Array.from({ length: numItems }, () => new Set<number>());
    for (let r = 0; r < log.item.length; r++) {
      const i = log.item[r]!;
      const ts = log.ts[r]!;
      firstSeen[i] = Math.min(firstSeen[i]!, ts);
      total[i]! += log.weight[r]!;
      const age = cutoffMs - ts;
      recency[i]! += log.weight[r]! * 0.5 ** (Math.max(0, age) / DEFAULT_HALF_LIFE_MS);
      if (age <= DAY_MS) {
        last24h[i]! += log.weight[r]!;
        users24h[i]!.add(log.user[r]!);
      }
      if (age <= 7 * DAY_MS) users7d[i]!.add(log.user[r]!);
    }
    const now = new Date(cutoffMs);
    const docs: MarketDoc[] = [];
    const activity = new Map<string, MarketActivity>();
    const content = new Map<string, ItemContent>();
    for (let i = 0; i < numItems; i++) {
      const ticker = log.itemIds[i]!;
      const tokens = train.content?.[i] ?? [];
      const category = tokenValue(tokens, 'category');
      docs.push({
        ticker,
        eventTicker: tokenValue(tokens, 'event') ?? ticker,
        ...(tokenValue(tokens, 'series') ? { seriesTicker: tokenValue(tokens, 'series')! } : {}),
        title: ticker,
        ...(category ? { category } : {}),
        status: 'open',
        ...(Number.isFinite(firstSeen[i]) ? { openTime: new Date(firstSeen[i]!) } : {}),
        closeTime: new Date(cutoffMs + OPEN_FOR_MS),
        volume: total[i]!,
        volume24h: last24h[i]!,
        createdAt: now,
        updatedAt: now,
      });
      const week = users7d[i]!.size;
      // As market_features: the baseline is the window, or the market's life so far if shorter.
      const baselineDays = Math.max(1, Math.min(7, (cutoffMs - firstSeen[i]!) / DAY_MS));
      activity.set(ticker, {
        ticker,
        users7d: week,
        trend: Math.log1p(users24h[i]!.size) - Math.log1p(week / baselineDays),
        recency: recency[i]!,
      });
      content.set(ticker, tokens);
      this.itemIndex.set(ticker, i);
    }
    this.snapshot = catalogueSnapshot(
      now,
      scoreMarkets(docs, now, activity, content),
      offlineNeighbours(log, cutoffMs),
    );
    // Rows by user, newest first (the log is sorted by time ascending).
    const counts = new Int32Array(numUsers + 1);
    for (const u of log.user) counts[u + 1]!++;
    for (let u = 0; u < numUsers; u++) counts[u + 1]! += counts[u]!;
    const next = counts.slice(0, numUsers);
    const rows = new Int32Array(log.user.length);
    for (let r = log.user.length - 1; r >= 0; r--) rows[next[log.user[r]!]!++] = r;
    this.userStart = counts;
    this.rows = rows;
  }

  scoreUser(user: number, out: Float32Array): void {
    out.fill(-Infinity);
    const { candidates, request } = this.candidates(user);
    const ranked = rankCandidates(
      candidates,
      this.options.weights?.() ?? this.config.weights,
      this.config,
      request,
    );
    ranked.forEach((item, position) => {
      out[this.itemIndex.get(item.ticker)!] = ranked.length - position;
    });
  }

  /**
   * The pipeline's candidates for a user and their blend terms (what a learned blend is fitted
   * on), with each candidate's item index.
   */
  candidates(user: number): { candidates: FeedCandidates; items: Int32Array; request: RankRequest } {
    const snapshot = this.snapshot;
    if (!snapshot) throw new Error(`${this.name}: fit before scoring`);
    const model = this.config.model ? this.options.model?.() : undefined;
    const request: RankRequest = {
      now: snapshot.loadedAt,
      categories: [],
      minCloseTime: snapshot.loadedAt,
      maxPerEvent: this.options.maxPerEvent ?? CONFIG_DEFAULTS.FEED_MAX_PER_EVENT,
    };
    const candidates = feedCandidates(snapshot, this.context(user, snapshot), request, this.config, model);
    // Catalogue rows are item indexes: the offline catalogue lists every item in index order.
    return { candidates, items: Int32Array.from(candidates.rows), request };
  }

  /** The user as serving would read them at the cut, from their training rows. */
  private context(user: number, snapshot: CatalogueSnapshot): UserContext {
    const { log, cutoffMs } = this.train!;
    const category = new Map<string, number>();
    const series = new Map<string, number>();
    const history = new Map<string, HistoryEntry>();
    const add = (into: Map<string, number>, key: string, mass: number) =>
      into.set(key, (into.get(key) ?? 0) + mass);
    for (let k = this.userStart[user]!; k < this.userStart[user + 1]!; k++) {
      const r = this.rows[k]!;
      const market = snapshot.markets[log.item[r]!]!;
      const mass = log.weight[r]! * 0.5 ** (Math.max(0, cutoffMs - log.ts[r]!) / DEFAULT_HALF_LIFE_MS);
      add(category, market.categoryKey, mass);
      if (market.seriesTicker) add(series, market.seriesTicker, mass);
      if (!history.has(market.ticker))
        history.set(market.ticker, {
          ticker: market.ticker,
          title: market.title,
          eventTicker: market.eventTicker,
        });
    }
    const shares = (totals: Map<string, number>) => {
      const sum = [...totals.values()].reduce((a, b) => a + b, 0);
      return new Map(sum > 0 ? [...totals].map(([k, v]) => [k, v / sum]) : []);
    };
    return {
      userId: log.userIds[user]!,
      // What the user already engaged with is not a prediction: kept out of the feed.
      dismissed: new Set(history.keys()),
      categoryAffinity: shares(category),
      seriesAffinity: shares(series),
      history: [...history.values()],
      attributes: {},
      known: true,
    };
  }
}

/** A served ranker to evaluate: its name and recommender (see `servedRankerContenders`). */
export interface ServedContender {
  name: string;
  recommender: ServedRankerRecommender;
}

/**
 * The served rankers (src/feed/rankers) as offline recommenders, all or those named. A model-based
 * ranker needs its kind's fitted serving model from `models` (by kind name); without it, it is
 * left out, since serving would fall back to another ranker.
 */
export function servedRankerContenders(
  models: ReadonlyMap<string, ServingModel>,
  names?: readonly string[],
  /** Learned blends by ranker name (blend-fit.ts); the others rank with their configured weights. */
  blends: ReadonlyMap<string, BlendWeights> = new Map(),
): ServedContender[] {
  return [...RANKERS.values()]
    .filter((config) => !names || names.includes(config.name))
    .filter((config) => !config.model || models.has(config.model))
    .map((config) => ({
      name: config.name,
      recommender: new ServedRankerRecommender(config, {
        ...(config.model ? { model: () => models.get(config.model!) } : {}),
        ...(blends.has(config.name) ? { weights: () => blends.get(config.name) } : {}),
      }),
    }));
}
