/**
 * The two-tower ranking pipeline alone (no HTTP, no store): 1M known users, 64-dim vectors, 10k and
 * 100k open markets. Per request: user vector from id + 10 recent markets, scores over every open
 * market, candidate sources, blend, diversity, reasons. Baseline in the same run: the popularity
 * ranker on the same catalogue and users. Also: RSS of the model snapshot, the cost of a catalogue's
 * market vectors under a new model, and of a catalogue refresh whose markets did not change.
 */
import { TwoTowerServing } from '../models/two-tower/serving.js';
import { catalogSnapshot } from '../src/feed/catalog.js';
import { catalogArrays } from '../src/feed/catalog-arrays.js';
import { marketIndex } from '../src/feed/market-index.js';
import { rankFeed, type RankRequest } from '../src/feed/rank-feed.js';
import { getRanker } from '../src/feed/rankers.js';
import type { UserContext } from '../src/feed/user-context.js';
import { Rng } from '../src/simulator/rng.js';
import { fmt, percentile, table, timeRuns } from './harness.js';
import { CATEGORIES, randomTwoTower, syntheticCatalog } from '../test/helpers/synthetic-ranking.js';

const REQUESTS = 1000;
const NOW = new Date('2026-11-23T12:00:00Z');

function userContext(i: number, markets: number): UserContext {
  return {
    userId: `user-${(i * 7919) % 1_000_000}`,
    dismissed: new Set(),
    categoryAffinity: new Map([[CATEGORIES[i % 8]!.toLowerCase(), 0.6]]),
    seriesAffinity: new Map(),
    attributes: {},
    history: Array.from({ length: 10 }, (_, k) => ({
      ticker: `KX${(i * 31 + k * 97) % markets}`,
      type: 'trade' as const,
    })),
  };
}

export default async function run(): Promise<void> {
  const rng = Rng.of(1, 'bench-ranking');
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const params = randomTwoTower(1_000_000, 20_000, rng);
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
    const catalog = syntheticCatalog(markets, rng, NOW);
    catalogArrays(catalog);
    let t0 = performance.now();
    marketIndex(catalog, serving);
    const vectorsMs = performance.now() - t0;
    // A refresh with the same markets: vectors are copied, not recomputed.
    const refreshed = catalogSnapshot(NOW, catalog.markets, catalog.neighbours);
    t0 = performance.now();
    marketIndex(refreshed, serving);
    const refreshMs = performance.now() - t0;
    let i = 0;
    const popularity = await timeRuns(
      REQUESTS,
      () => rankFeed(catalog, userContext(i++, markets), req, getRanker('popularity')!),
      20,
    );
    i = 0;
    const twoTower = await timeRuns(
      REQUESTS,
      () => rankFeed(catalog, userContext(i++, markets), req, getRanker('two-tower')!, serving),
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
        'market vectors ms (new model)': ranker === 'two-tower' ? vectorsMs : '—',
        'ms per unchanged refresh': ranker === 'two-tower' ? refreshMs : '—',
      });
    }
  }
  table(
    `Ranking pipeline service time (no HTTP, no store), 1M known users, dim 64, ${REQUESTS} requests each`,
    rows,
  );
  table('Model snapshot memory', [
    {
      users: 1_000_000,
      markets: 20_000,
      'RSS of the snapshot MB': rssModel,
      'RSS total MB': process.memoryUsage().rss / 2 ** 20,
    },
  ]);
}
