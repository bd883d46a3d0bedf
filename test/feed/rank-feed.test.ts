import { describe, expect, it } from 'vitest';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import {
  catalogueSnapshot,
  scoreMarkets,
  type CatalogueSnapshot,
} from '../../src/feed/catalogue/market-catalogue.js';
import { catalogueArrays } from '../../src/feed/catalogue/catalogue-arrays.js';
import { gatherCandidates } from '../../src/feed/pipeline/candidate-sources.js';
import { eligibilityMask, eligible } from '../../src/feed/pipeline/filters.js';
import { rankFeed, type RankRequest } from '../../src/feed/pipeline/rank-feed.js';
import { RankerConfigSchema, type RankerConfig } from '../../src/feed/rankers/ranker-config.js';
import { getRanker, RANKERS } from '../../src/feed/rankers/rankers.js';
import type { UserContext } from '../../src/feed/user/user-context.js';
import { userSignals } from '../../src/feed/user/user-signals.js';
import { rankWithSharing } from '../../src/feed/pipeline/shared-feeds.js';
import type { MarketDoc } from '../../src/domain/documents.js';
import { Rng } from '../../src/util/rng.js';
import { randomTwoTower, syntheticCatalogue } from '../helpers/synthetic-ranking.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;
const HOUR = 3_600_000;
const req: RankRequest = {
  now: NOW,
  categories: [],
  minCloseTime: new Date(NOW.getTime() + HOUR),
  maxPerEvent: 2,
};

const user = (history: UserContext['history'] = [], userId = 'someone-new'): UserContext => ({
  userId,
  dismissed: new Set(),
  categoryAffinity: new Map(),
  seriesAffinity: new Map(),
  history,
  attributes: {},
  known: true,
});

/** The synthetic catalogue, every market open for 2+ days, plus `extra` markets (store documents). */
function catalogueWith(extra: Partial<MarketDoc>[], markets = 2_000): CatalogueSnapshot {
  const base = syntheticCatalogue(markets, Rng.of(3, 'rank-feed'), NOW);
  const docs = extra.map(
    (d, i) =>
      ({
        eventTicker: `EXTRA-E${i}`,
        title: `Extra market ${i}`,
        category: 'Economics',
        status: 'open',
        openTime: new Date(NOW.getTime() - 10 * 24 * HOUR),
        closeTime: new Date(NOW.getTime() + 10 * 24 * HOUR),
        volume24h: 0,
        volume: 0,
        ...d,
      }) as MarketDoc,
  );
  const scored = scoreMarkets(
    [
      ...base.markets.map(
        (m) =>
          ({
            ...m,
            status: 'open',
            openTime: new Date(Math.min(m.openTime!.getTime(), NOW.getTime() - 48 * HOUR)),
            volume: m.volume24h * 10,
          }) as unknown as MarketDoc,
      ),
      ...docs,
    ],
    NOW,
  );
  return catalogueSnapshot(NOW, scored, base.neighbours);
}

describe('ranker configurations', () => {
  it('are defined once, validated, and name a model-free fallback where they need a model', () => {
    expect([...RANKERS.keys()]).toEqual(
      expect.arrayContaining(['popularity', 'trending', 'popularity-global', 'two-tower']),
    );
    const twoTower = getRanker('two-tower')!;
    expect(twoTower.model).toBe('two-tower');
    expect(getRanker(twoTower.fallback!)?.model).toBeUndefined();
    expect(() => RankerConfigSchema.parse({ name: 'x', version: 1, sources: {}, weights: {} })).toThrow(
      /at least one source/,
    );
    expect(() =>
      RankerConfigSchema.parse({
        name: 'x',
        version: 1,
        model: 'two-tower',
        sources: { popular: 5 },
        weights: {},
      }),
    ).toThrow(/fallback/);
    expect(() =>
      RankerConfigSchema.parse({ name: 'x', version: 1, sources: { popular: 5, bogus: 3 }, weights: {} }),
    ).toThrow();
  });
});

describe('candidate generation', () => {
  it('proposes each eligible market at most once, each source at most its quota', () => {
    const catalogue = syntheticCatalogue(3_000, Rng.of(1, 'sources'), NOW);
    const a = catalogueArrays(catalogue);
    const config: RankerConfig = {
      ...getRanker('popularity')!,
      sources: { popular: 40, trending: 30, fresh: 20, affinity: 25 },
    };
    const context = {
      ...user(),
      categoryAffinity: new Map([
        ['crypto', 0.6],
        ['sports', 0.4],
      ]),
    };
    const mask = eligibilityMask(a, ['KX0', 'KX1'], { ...req, categories: ['crypto', 'sports', 'weather'] });
    const eligibleRows = [...mask.keys()].filter((i) => mask[i] === 1);
    const { rows, source } = gatherCandidates(
      a,
      mask,
      userSignals(catalogue, a, context, config, undefined),
      config,
      NOW.getTime(),
    );
    expect(new Set(rows).size).toBe(rows.length);
    for (const row of rows) expect(eligibleRows).toContain(row);
    const count = (s: string) => source.filter((x) => x === s).length;
    expect(count('popular')).toBe(40);
    expect(count('trending')).toBe(30);
    expect(count('fresh')).toBeLessThanOrEqual(20);
    expect(count('affinity')).toBeLessThanOrEqual(25);
    // Affinity candidates come from the user's categories, by share.
    const affinity = rows.filter((_, j) => source[j] === 'affinity');
    const keys = affinity.map((r) => catalogue.markets[r]!.categoryKey);
    expect(keys.filter((k) => k === 'crypto').length).toBeGreaterThan(
      keys.filter((k) => k === 'sports').length,
    );
    expect(keys.every((k) => k === 'crypto' || k === 'sports')).toBe(true);
  });

  it('the two filter forms agree: per market when paging, as a mask when ranking', () => {
    const catalogue = syntheticCatalogue(500, Rng.of(2, 'filters'), NOW);
    const a = catalogueArrays(catalogue);
    const filter = {
      categories: ['politics', 'crypto'],
      minCloseTime: new Date(NOW.getTime() + 5 * 24 * HOUR),
    };
    const excluded = new Set(['KX4', 'KX12']);
    const mask = eligibilityMask(a, excluded, filter);
    catalogue.markets.forEach((m, i) => expect(mask[i] === 1).toBe(eligible(m, excluded, filter)));
  });

  it('the mask agrees with the per-market filter as requests’ close-time cuts move on, back and apart', () => {
    const catalogue = syntheticCatalogue(500, Rng.of(3, 'cuts'), NOW);
    // Markets closing 7 s apart from five days on: every cut below has markets closing around it.
    const start = NOW.getTime() + 5 * 24 * HOUR;
    catalogue.markets.forEach((m, i) => (m.closeTime = new Date(start + i * 7_000)));
    const a = catalogueArrays(catalogue);
    const excluded = new Set(['KX40', 'KX41']);
    const minutes = [0, 0.5, 2, 9, 1, 25, 26, -60 * 24, 3, 0.1, 58];
    for (const m of minutes)
      for (const categories of [[], ['politics', 'crypto']]) {
        const filter = { categories, minCloseTime: new Date(start + m * 60_000) };
        const mask = eligibilityMask(a, excluded, filter);
        const disagreeing = catalogue.markets.filter(
          (market, i) => (mask[i] === 1) !== eligible(market, excluded, filter),
        );
        expect(
          disagreeing.map((d) => d.ticker),
          `${m} min, ${categories.join()}`,
        ).toEqual([]);
      }
  });

  it('brings a brand-new market with no volume into a cold-start feed through the fresh source', () => {
    const catalogue = catalogueWith([
      { ticker: 'BRAND-NEW', openTime: new Date(NOW.getTime() - HOUR), volume24h: 0 },
    ]);
    const popularity = getRanker('popularity')!;
    const feed = rankFeed(catalogue, user(), req, popularity);
    expect(feed.find((i) => i.ticker === 'BRAND-NEW')?.reasons).toContain('New market');
    const withoutFresh = rankFeed(catalogue, user(), req, {
      ...popularity,
      sources: { ...popularity.sources, fresh: 0 },
    });
    expect(withoutFresh.map((i) => i.ticker)).not.toContain('BRAND-NEW');
  });

  it('gives exploration slots to new markets nobody has engaged with, and leaves traded ones to the blend', () => {
    const opened = new Date(NOW.getTime() - HOUR);
    const catalogue = catalogueWith([
      { ticker: 'BRAND-NEW', openTime: opened },
      { ticker: 'TRADED-NEW', openTime: opened, volume24h: 3, volume: 3 },
    ]);
    const popularity = getRanker('popularity')!;
    const tickers = (config: RankerConfig) => rankFeed(catalogue, user(), req, config).map((i) => i.ticker);
    const explored = tickers(popularity);
    // The tenth position is the slot: the untried market takes it, not the one already traded.
    expect(explored[9]).toBe('BRAND-NEW');
    // Every other position is the blend's own order, the traded new market wherever it ranks.
    const blendOnly = tickers({ ...popularity, diversity: { ...popularity.diversity, exploreEvery: 0 } });
    expect(explored.filter((t) => t !== 'BRAND-NEW')).toEqual(
      blendOnly.filter((t) => t !== 'BRAND-NEW').slice(0, explored.length - 1),
    );
  });

  it('proposes co-interaction neighbours of what the user traded, and names the market as the reason', () => {
    const catalogue = catalogueWith([
      { ticker: 'TRADED', title: 'Will the Fed cut in December?', closeTime: new Date(NOW.getTime() - HOUR) },
      { ticker: 'QUIET-NEIGHBOUR', title: 'Will the Fed cut in January?' },
    ]);
    const withNeighbours = catalogueSnapshot(
      NOW,
      catalogue.markets,
      new Map([['TRADED', [{ ticker: 'QUIET-NEIGHBOUR', score: 0.8 }]]]),
    );
    const config: RankerConfig = {
      ...getRanker('popularity')!,
      sources: { popular: 50, neighbours: 10 },
      weights: { ...getRanker('popularity')!.weights, neighbours: 10 },
    };
    const feed = rankFeed(
      withNeighbours,
      user([{ ticker: 'TRADED', type: 'trade', title: 'x' }]),
      req,
      config,
    );
    expect(feed[0]!.ticker).toBe('QUIET-NEIGHBOUR');
    expect(feed[0]!.reasons[0]).toBe('Because you traded "Will the Fed cut in December?"');
    // Without the source the neighbour, with no volume, is not even a candidate.
    const without = rankFeed(withNeighbours, user([{ ticker: 'TRADED', type: 'trade' }]), req, {
      ...config,
      sources: { popular: 50 },
    });
    expect(without.map((i) => i.ticker)).not.toContain('QUIET-NEIGHBOUR');
  });
});

describe('reasons name related markets only (#23 item 2)', () => {
  const config: RankerConfig = {
    ...getRanker('popularity')!,
    sources: { popular: 50, neighbours: 10 },
    weights: { ...getRanker('popularity')!.weights, neighbours: 10 },
  };
  const closed = new Date(NOW.getTime() - HOUR);
  const feedAfterTrading = (neighbour: Partial<MarketDoc>) => {
    const catalogue = catalogueWith([
      {
        ticker: 'WEATHER-TRADE',
        eventTicker: 'KXHIGHNY-26NOV21',
        seriesTicker: 'KXHIGHNY',
        title: 'NYC high above 60°?',
        category: 'Climate and Weather',
        closeTime: closed,
      },
      { ticker: 'NEIGHBOUR', title: 'The neighbour', ...neighbour },
    ]);
    const linked = catalogueSnapshot(
      NOW,
      catalogue.markets,
      new Map([['WEATHER-TRADE', [{ ticker: 'NEIGHBOUR', score: 0.9 }]]]),
    );
    const feed = rankFeed(linked, user([{ ticker: 'WEATHER-TRADE', type: 'trade' }]), req, config);
    return feed.find((i) => i.ticker === 'NEIGHBOUR')!;
  };

  it('does not explain a football market by a weather trade, however often they were co-traded', () => {
    const item = feedAfterTrading({
      eventTicker: 'KXNFL-26NOV23-KC',
      seriesTicker: 'KXNFL',
      category: 'Sports',
    });
    expect(item).toBeDefined();
    expect(item.reasons.join(' | ')).not.toMatch(/NYC high/);
  });

  it('says a market of the same event is one of an event the user trades', () => {
    const item = feedAfterTrading({
      eventTicker: 'KXHIGHNY-26NOV21',
      seriesTicker: 'KXHIGHNY',
      category: 'Climate and Weather',
    });
    expect(item.reasons[0]).toBe('Another market in an event you trade');
  });

  it.each([
    [
      'series',
      { eventTicker: 'KXHIGHNY-26NOV22', seriesTicker: 'KXHIGHNY', category: 'Climate and Weather' },
    ],
    [
      'category',
      { eventTicker: 'KXRAINNYC-26NOV', seriesTicker: 'KXRAINNYC', category: 'Climate and Weather' },
    ],
  ])('names a traded market of the same %s', (_, neighbour) => {
    const item = feedAfterTrading(neighbour);
    expect(item.reasons).toContain('Because you traded "NYC high above 60°?"');
  });
});

describe('two-tower pipeline', () => {
  const rng = Rng.of(5, 'two-tower-pipeline');
  const catalogue = syntheticCatalogue(4_000, rng, NOW);
  const serving = new TwoTowerServing('v-test', randomTwoTower(50, 4_000, rng));
  const history = [3, 17, 99].map((i) => ({ ticker: `KX${i}`, type: 'trade' as const }));

  it('scans every open market: the embedding source finds the user’s best markets wherever they rank by popularity', () => {
    const config = getRanker('two-tower')!;
    const u = serving.userVector(
      'user-7',
      history.map((h) => ({ ...h, content: catalogue.byTicker.get(h.ticker)!.content })),
    );
    const vectors = serving.marketVectors(catalogue.markets);
    const cosine = (i: number) => u.reduce((s, x, k) => s + x * vectors[i * u.length + k]!, 0);
    const eligibleRows = catalogue.markets.flatMap((m, i) => (m.closeTime > req.minCloseTime ? [i] : []));
    const best = eligibleRows.sort((x, y) => cosine(y) - cosine(x)).slice(0, 10);
    const a = catalogueArrays(catalogue);
    const context = user(history, 'user-7');
    const mask = eligibilityMask(a, context.dismissed, req);
    const { rows, source } = gatherCandidates(
      a,
      mask,
      userSignals(catalogue, a, context, config, serving),
      config,
      NOW.getTime(),
    );
    const fromEmbedding = new Set(rows.filter((_, j) => source[j] === 'embedding'));
    for (const row of best) expect(fromEmbedding).toContain(row);
  });

  it('serves the same list for the same user and catalogue, however often it is asked', () => {
    const config = getRanker('two-tower')!;
    const first = rankFeed(catalogue, user(history, 'user-7'), req, config, serving);
    rankFeed(catalogue, user([{ ticker: 'KX5', type: 'trade' }], 'user-9'), req, config, serving);
    expect(rankFeed(catalogue, user(history, 'user-7'), req, config, serving)).toEqual(first);
    expect(first).toHaveLength(config.maxItems);
  });
  it('ranks once per catalogue for every user it knows nothing about, and never shares a personal list', () => {
    const config = getRanker('two-tower')!;
    const first = rankWithSharing(catalogue, user([], 'new-1'), req, config, serving);
    expect(rankWithSharing(catalogue, user([], 'new-2'), req, config, serving)).toBe(first);
    // A user the model was trained on, or one with history, is ranked for themselves.
    expect(rankWithSharing(catalogue, user([], 'user-3'), req, config, serving)).not.toEqual(first);
    expect(rankWithSharing(catalogue, user(history, 'new-3'), req, config, serving)).not.toEqual(first);
    // Another category filter is another list.
    expect(
      rankWithSharing(catalogue, user([], 'new-4'), { ...req, categories: ['crypto'] }, config, serving),
    ).not.toBe(first);
  });
});

describe('popularity signals on a quiet exchange', () => {
  /** `markets` open markets in their own events, none traded today except the `traded` ones (one trade each). */
  function quietCatalogue(markets: number, traded: ReadonlySet<string> = new Set()): CatalogueSnapshot {
    const docs = Array.from(
      { length: markets },
      (_, i) =>
        ({
          ticker: `KX${i}`,
          eventTicker: `KXE${i}`,
          seriesTicker: `KXS${i % 50}`,
          title: `Will thing ${i} happen?`,
          category: 'Economics',
          status: 'open',
          openTime: new Date(NOW.getTime() - 10 * 24 * HOUR),
          closeTime: new Date(NOW.getTime() + 10 * 24 * HOUR),
          volume24h: traded.has(`KX${i}`) ? 1 : 0,
          volume: traded.has(`KX${i}`) ? 1 : 0,
        }) as MarketDoc,
    );
    return catalogueSnapshot(NOW, scoreMarkets(docs, NOW), new Map());
  }

  it('a market with one trade today does not outrank the model’s best markets', () => {
    const rng = Rng.of(9, 'quiet-exchange');
    const serving = new TwoTowerServing('v-quiet', randomTwoTower(50, 1_000, rng));
    const history = [3, 17, 99].map((i) => ({ ticker: `KX${i}`, type: 'trade' as const }));
    const quiet = quietCatalogue(1_000);
    const u = serving.userVector(
      'user-7',
      history.map((h) => ({ ...h, content: quiet.byTicker.get(h.ticker)!.content })),
    );
    const vectors = serving.marketVectors(quiet.markets);
    const cosine = (i: number) => u.reduce((s, x, k) => s + x * vectors[i * u.length + k]!, 0);
    const byModel = quiet.markets.map((_, i) => i).sort((x, y) => cosine(y) - cosine(x));
    // Three markets the model ranks in its bottom half each had one trade today.
    const traded = new Set(byModel.slice(500, 503).map((i) => `KX${i}`));
    const catalogue = quietCatalogue(1_000, traded);
    const tradedToday = catalogue.markets.filter((m) => traded.has(m.ticker));
    // One trade is worth one unit of popularity (a log count's one-event step), not dozens of deviations.
    for (const m of tradedToday) expect(m.popularity).toBeLessThanOrEqual(1.01);

    const feed = rankFeed(catalogue, user(history, 'user-7'), req, getRanker('two-tower')!, serving);
    const top = feed.slice(0, 10).map((item) => item.ticker);
    expect(top.filter((t) => traded.has(t))).toEqual([]);
    // The model's own best markets lead the feed instead.
    const best = new Set(byModel.slice(0, 20).map((i) => `KX${i}`));
    expect(top.filter((t) => best.has(t)).length).toBeGreaterThanOrEqual(5);
  });

  it('where many markets trade, popularity keeps its full spread', () => {
    const catalogue = syntheticCatalogue(2_000, Rng.of(3, 'busy-exchange'), NOW);
    const pop = catalogue.markets.map((m) => m.popularity);
    const mean = pop.reduce((a, b) => a + b, 0) / pop.length;
    const sd = Math.sqrt(pop.reduce((a, b) => a + (b - mean) ** 2, 0) / pop.length);
    expect(mean).toBeCloseTo(0, 6);
    expect(sd).toBeCloseTo(1, 6);
  });
});
