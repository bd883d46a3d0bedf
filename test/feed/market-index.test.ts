import { describe, expect, it } from 'vitest';
import { TwoTowerServing } from '../../models/two-tower/serving.js';
import { catalogueSnapshot } from '../../src/feed/catalogue/market-catalogue.js';
import { marketIndex, marketIndexInChunks } from '../../src/feed/catalogue/market-index.js';
import { Rng } from '../../src/util/rng.js';
import { randomTwoTower, syntheticCatalogue } from '../helpers/synthetic-ranking.js';
import { TEST_NOW } from '../helpers/fixed-clock.js';

const NOW = TEST_NOW;

describe('market vectors across catalogue refreshes', () => {
  it('match the model for every market, including ones whose content changed since the last refresh', () => {
    const rng = Rng.of(12, 'market-index');
    // Markets KX0…KX299 exist in the catalogue; the model was trained on KX0…KX149 only.
    const catalogue = syntheticCatalogue(300, rng, NOW);
    const model = new TwoTowerServing('v1', randomTwoTower(10, 150, rng));
    const expectMatches = (snapshot: typeof catalogue) => {
      const index = marketIndex(snapshot, model);
      const fresh = model.marketVectors(snapshot.markets);
      for (let i = 0; i < fresh.length; i++) expect(index.vectors[i]).toBeCloseTo(fresh[i]!, 5);
    };
    expectMatches(catalogue);
    // A refresh: one untrained market retitled (new content), one market gone, one new one.
    const markets = catalogue.markets
      .slice(1)
      .map((m) => (m.ticker === 'KX200' ? { ...m, content: [...m.content, 'title:retitled'] } : m));
    markets.push({
      ...catalogue.markets[0]!,
      ticker: 'KX-NEW',
      content: ['category:crypto', 'title:bitcoin'],
    });
    const refreshed = catalogueSnapshot(NOW, markets, catalogue.neighbours);
    expectMatches(refreshed);
    expect(marketIndex(refreshed, model)).toBe(marketIndex(refreshed, model));
    // A refresh with the same markets (prices moved within their buckets) shares the index.
    const again = catalogueSnapshot(
      NOW,
      markets.map((m) => ({ ...m, volume24h: m.volume24h + 1 })),
      catalogue.neighbours,
    );
    expect(marketIndex(again, model)).toBe(marketIndex(refreshed, model));
  });

  it('under a new model, are embedded in chunks with pauses between them, to the same vectors', async () => {
    const rng = Rng.of(13, 'market-index-chunks');
    const catalogue = syntheticCatalogue(5_000, rng, NOW);
    const params = randomTwoTower(10, 2_000, rng);
    let pauses = 0;
    const chunked = await marketIndexInChunks(catalogue, new TwoTowerServing('v2', params), async () => {
      pauses++;
    });
    expect(pauses).toBeGreaterThan(1);
    // While a swap prepares the new model on a snapshot, the serving model keeps its index there.
    const serving = new TwoTowerServing('v1', params);
    const before = marketIndex(catalogue, serving);
    await marketIndexInChunks(catalogue, new TwoTowerServing('v3', params), async () => {});
    expect(marketIndex(catalogue, serving)).toBe(before);
    const whole = marketIndex(catalogueSnapshot(NOW, catalogue.markets), new TwoTowerServing('v2', params));
    expect(Array.from(chunked.vectors)).toEqual(Array.from(whole.vectors));
  });
});
