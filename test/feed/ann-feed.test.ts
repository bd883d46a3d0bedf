import { describe, expect, it } from 'vitest';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import { AnnIndexBuilder, annIndex, buildAnnIndex } from '../../src/feed/catalogue/ann-indexes.js';
import { catalogueSnapshot } from '../../src/feed/catalogue/market-catalogue.js';
import { marketIndex } from '../../src/feed/catalogue/market-index.js';
import { topK } from '../../models/vector-search/top-k.js';
import { rankFeed, type RankRequest } from '../../src/feed/pipeline/rank-feed.js';
import { getRanker } from '../../src/feed/rankers/rankers.js';
import { similarMarkets } from '../../src/feed/similar-markets.js';
import type { UserContext } from '../../src/feed/user/user-context.js';
import { Rng } from '../../src/util/rng.js';
import { randomTwoTower, syntheticCatalogue } from '../helpers/synthetic-ranking.js';
import { openTestStore } from '../helpers/store.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;
const req: RankRequest = {
  now: NOW,
  categories: [],
  minCloseTime: new Date(NOW.getTime() + 3_600_000),
  maxPerEvent: 2,
};
const noPause = async () => {};
const rng = Rng.of(8, 'ann-feed');
const base = syntheticCatalogue(3_000, rng, NOW);
const serving = new TwoTowerServing('v-ann', randomTwoTower(50, 3_000, rng));
const config = getRanker('two-tower')!;
const user = (i: number): UserContext => ({
  userId: `user-${i}`,
  dismissed: new Set(),
  categoryAffinity: new Map(),
  seriesAffinity: new Map(),
  attributes: {},
  known: true,
  history: [0, 1, 2].map((k) => ({ ticker: `KX${(i * 37 + k * 101) % 3_000}`, type: 'trade' as const })),
});
/** The same markets in a new snapshot: one exact, one with an ANN index. */
const fresh = () => catalogueSnapshot(NOW, base.markets, base.neighbours);

describe('feeds through the ANN index', () => {
  it('probing every cluster, feeds and similar markets are the exact scan’s', async () => {
    const exact = fresh();
    const approximate = fresh();
    const ivf = await buildAnnIndex(approximate, serving, { pause: noPause });
    ivf.probe = { minFraction: 1, rowsPerResult: 1 };
    expect(annIndex(exact, serving)).toBeUndefined();
    for (const i of [1, 2, 3])
      expect(rankFeed(approximate, user(i), req, config, serving)).toEqual(
        rankFeed(exact, user(i), req, config, serving),
      );
    const store = await openTestStore({ indexes: false });
    expect(await similarMarkets(store, approximate, serving, 'KX42', 10)).toEqual(
      await similarMarkets(store, exact, serving, 'KX42', 10),
    );
  });

  it('scores every candidate with its exact similarity, including those no probe reached', async () => {
    const exact = fresh();
    const approximate = fresh();
    const ivf = await buildAnnIndex(approximate, serving, { pause: noPause });
    ivf.probe = { minFraction: 0.05, rowsPerResult: 1 };
    for (const i of [4, 5, 6, 7]) {
      const scores = new Map(rankFeed(exact, user(i), req, config, serving).map((x) => [x.ticker, x.score]));
      const approx = rankFeed(approximate, user(i), req, config, serving);
      // A market in both lists has one score: its blend does not depend on how it was found.
      const shared = approx.filter((x) => scores.has(x.ticker));
      expect(shared.length).toBeGreaterThan(approx.length / 2);
      for (const x of shared) expect(x.score).toBeCloseTo(scores.get(x.ticker)!, 3);
    }
  });

  it('is built in the background for catalogues from the threshold on, for the latest model', async () => {
    const small = new AnnIndexBuilder({ minMarkets: 5_000, pause: noPause });
    const catalogue = fresh();
    small.request(catalogue, serving);
    await small.idle();
    expect(annIndex(catalogue, serving)).toBeUndefined();

    const builder = new AnnIndexBuilder({ minMarkets: 1_000, pause: noPause });
    const next = new TwoTowerServing('v-ann-2', randomTwoTower(50, 3_000, rng));
    builder.request(catalogue, serving);
    builder.request(catalogue, next);
    // Nothing is built on the caller's turn: it may be preparing a snapshot not yet published.
    expect(annIndex(catalogue, next)).toBeUndefined();
    await builder.idle();
    expect(annIndex(catalogue, next)).toBeDefined();
    // A refresh with the same markets gets that index at once; one with other markets, a new one.
    const refreshed = fresh();
    builder.request(refreshed, next);
    expect(annIndex(refreshed, next)).toBe(annIndex(catalogue, next));
    // The next refresh: the first market closed, a new one opened (every row moves up by one).
    const changed = catalogueSnapshot(
      NOW,
      [...base.markets.slice(1), { ...base.markets[0]!, ticker: 'KX-NEW' }],
      base.neighbours,
    );
    builder.request(changed, next);
    await builder.idle();
    expect(annIndex(changed, next)).not.toBe(annIndex(catalogue, next));
    // Its rows are the new catalogue's: probing everything finds what the exact scan finds.
    const ivf = annIndex(changed, next)!;
    ivf.probe = { minFraction: 1, rowsPerResult: 1 };
    const everything = new Uint8Array(ivf.size).fill(1);
    const vectors = marketIndex(changed, next);
    for (const row of [0, 5, base.markets.length - 1]) {
      const query = vectors.row(row).slice();
      expect(Array.from(ivf.search(query, 20, everything, 1))).toEqual(
        Array.from(topK(vectors.scores(query), 20, everything, 1)),
      );
    }
    // And each row sits in its nearest centroid's cluster: probing one cluster finds the row itself.
    ivf.probe = { minFraction: 0, rowsPerResult: 0 };
    for (let row = 0; row < ivf.size; row += 37) {
      const [found] = ivf.search(vectors.row(row).slice(), 1, everything, 1);
      expect(ivf.similarity[found!]).toBeCloseTo(1, 4);
    }
  });
});
