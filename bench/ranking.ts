/**
 * The two-tower ranking pipeline alone (no HTTP, no store): 1M known users, 64-dim vectors, 10k and
 * 100k open markets. Per request: user vector from id + 10 recent markets, scores over every open
 * market, filters, blend, diversity, reasons. Baseline in the same run: the popularity ranker on
 * the same catalogue and users. Also: RSS of the model snapshot, and the one-off cost of a
 * catalogue's market vectors (paid once per catalogue refresh and model).
 */
import { EmbeddingTable } from '../models/two-tower/embedding-table.js';
import { TwoTowerHyperparameters } from '../models/two-tower/hyperparameters.js';
import type { TwoTowerParameters } from '../models/two-tower/model.js';
import { TwoTowerServing } from '../models/two-tower/serving.js';
import { marketContentTokens } from '../models/data/market-content.js';
import { scoreMarkets, type CatalogSnapshot } from '../src/feed/catalog.js';
import { rankPopularity, type RankRequest } from '../src/feed/popularity-ranker.js';
import { marketVectors, rankTwoTower } from '../src/feed/two-tower-ranker.js';
import type { UserContext } from '../src/feed/user-context.js';
import type { MarketDoc } from '../src/domain/documents.js';
import { Rng } from '../src/simulator/rng.js';
import { fmt, percentile, table, timeRuns } from './harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const CATEGORIES = [
  'Politics',
  'Economics',
  'Financials',
  'Weather',
  'Crypto',
  'Sports',
  'Culture',
  'Tech & AI',
];

function catalogue(markets: number, rng: Rng): CatalogSnapshot {
  const docs = Array.from({ length: markets }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    return {
      ticker: `KX${i}`,
      eventTicker: `KXE${Math.floor(i / 3)}`,
      seriesTicker: `KXS${i % 500}`,
      title: `Will thing ${i % 997} happen by ${1 + (i % 28)} December?`,
      category,
      status: 'open',
      openTime: new Date(NOW.getTime() - rng.next() * 20 * 86_400_000),
      closeTime: new Date(NOW.getTime() + (1 + rng.next() * 30) * 86_400_000),
      volume24h: Math.floor(rng.lognormal(5, 2)),
      volume: Math.floor(rng.lognormal(8, 2)),
    } as unknown as MarketDoc;
  });
  const content = new Map(docs.map((d) => [d.ticker, marketContentTokens(d)]));
  const scored = scoreMarkets(docs, NOW, undefined, content);
  return { loadedAt: NOW, markets: scored, byTicker: new Map(scored.map((m) => [m.ticker, m])) };
}

function model(users: number, items: number, rng: Rng): TwoTowerParameters {
  const hp = TwoTowerHyperparameters.parse({});
  const d = hp.dim;
  const table = (rows: number) => new EmbeddingTable(rows, d).initNormal(rng, 0.1);
  const itemsTable = table(items);
  return {
    hp,
    userIds: Array.from({ length: users }, (_, i) => `user-${i}`),
    itemIds: Array.from({ length: items }, (_, i) => `KX${i}`),
    userTrained: new Uint8Array(users).fill(1),
    itemTrained: new Uint8Array(items).fill(1),
    users: table(users),
    items: itemsTable,
    content: table(hp.contentBuckets),
    wu: Float32Array.from({ length: d * 2 * d }, () => rng.normal() * 0.1),
    wm: Float32Array.from({ length: d * d }, () => rng.normal() * 0.1),
    withContent: true,
    itemInputs: itemsTable.weights,
  };
}

function userContext(i: number, markets: number): UserContext {
  return {
    userId: `user-${(i * 7919) % 1_000_000}`,
    dismissed: new Set(),
    categoryAffinity: new Map([[CATEGORIES[i % 8]!.toLowerCase(), 0.6]]),
    seriesAffinity: new Map(),
    history: Array.from({ length: 10 }, (_, k) => ({
      ticker: `KX${(i * 31 + k * 97) % markets}`,
      type: 'trade' as const,
    })),
  };
}

export default async function run(): Promise<void> {
  const rng = Rng.of(1, 'bench-ranking');
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const params = model(1_000_000, 20_000, rng);
  const serving = new TwoTowerServing('bench', params);
  const rssModel = process.memoryUsage().rss / 2 ** 20 - rssBefore;
  const req: RankRequest = {
    now: NOW,
    categories: [],
    minCloseTime: new Date(NOW.getTime() + 30 * 60_000),
    maxPerEvent: 2,
  };
  const rows: Record<string, string | number>[] = [];
  for (const markets of [10_000, 100_000]) {
    const catalog = catalogue(markets, rng);
    const t0 = performance.now();
    marketVectors(catalog, serving);
    const vectorsMs = performance.now() - t0;
    let i = 0;
    const popularity = await timeRuns(300, () => rankPopularity(catalog, userContext(i++, markets), req), 20);
    i = 0;
    const twoTower = await timeRuns(
      300,
      () => rankTwoTower(catalog, userContext(i++, markets), req, serving),
      20,
    );
    for (const [ranker, times] of [
      ['popularity (baseline)', popularity],
      ['two-tower', twoTower],
    ] as const) {
      rows.push({
        'open markets': markets,
        ranker,
        'p50 ms': percentile(times, 50),
        'p99 ms': percentile(times, 99),
        'vs popularity p50': `${fmt(percentile(times, 50) / percentile(popularity, 50))}×`,
        'market vectors ms (per catalogue refresh)': ranker === 'two-tower' ? vectorsMs : '—',
      });
    }
  }
  table('Ranking pipeline service time (no HTTP, no store), 1M known users, dim 64, 300 requests', rows);
  table('Model snapshot memory', [
    {
      users: 1_000_000,
      markets: 20_000,
      'RSS of the snapshot MB': rssModel,
      'RSS total MB': process.memoryUsage().rss / 2 ** 20,
    },
  ]);
}
