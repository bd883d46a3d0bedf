/**
 * Synthetic catalogues and random two-tower, EASE and BPR-MF parameters at any size, for the ranking
 * benchmark and the pipeline's tests (no store, no training).
 */
import { BprHyperparameters, type BprParameters } from '../../models/bpr-mf/parameters.js';
import { EaseHyperparameters, type EaseParameters } from '../../models/ease/parameters.js';
import { EmbeddingTable } from '../../models/two-tower/embedding-table.js';
import { TwoTowerHyperparameters } from '../../models/two-tower/hyperparameters.js';
import type { TwoTowerParameters } from '../../models/two-tower/parameters.js';
import { marketContentTokens } from '../../models/data/market-content.js';
import {
  catalogueSnapshot,
  scoreMarkets,
  type CatalogueSnapshot,
} from '../../src/feed/catalogue/market-catalogue.js';
import type { MarketDoc } from '../../src/domain/documents.js';
import type { Rng } from '../../src/util/rng.js';

export const CATEGORIES = [
  'Politics',
  'Economics',
  'Financials',
  'Weather',
  'Crypto',
  'Sports',
  'Culture',
  'Tech & AI',
];

/**
 * `markets` open markets KX0… in three-market events and 500 series, categories in turn, opened in
 * the last 20 days, closing in 1–31 days, log-normal volumes; 20 random neighbours each.
 */
export function syntheticCatalogue(markets: number, rng: Rng, now: Date): CatalogueSnapshot {
  const docs = Array.from({ length: markets }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    return {
      ticker: `KX${i}`,
      eventTicker: `KXE${Math.floor(i / 3)}`,
      seriesTicker: `KXS${i % 500}`,
      title: `Will thing ${i % 997} happen by ${1 + (i % 28)} December?`,
      category,
      status: 'open',
      openTime: new Date(now.getTime() - rng.next() * 20 * 86_400_000),
      closeTime: new Date(now.getTime() + (1 + rng.next() * 30) * 86_400_000),
      volume24h: Math.floor(rng.lognormal(5, 2)),
      volume: Math.floor(rng.lognormal(8, 2)),
    } as unknown as MarketDoc;
  });
  const content = new Map(docs.map((d) => [d.ticker, marketContentTokens(d)]));
  const scored = scoreMarkets(docs, now, undefined, content);
  // 20 co-interaction neighbours per market, as market_neighbours keeps.
  const neighbours = new Map(
    docs.map((d) => [
      d.ticker,
      Array.from({ length: 20 }, () => ({ ticker: `KX${rng.int(markets)}`, score: rng.next() })),
    ]),
  );
  return catalogueSnapshot(now, scored, neighbours);
}

/** Random parameters for `users` users user-0… and `items` markets KX0…, all trained. */
export function randomTwoTower(users: number, items: number, rng: Rng): TwoTowerParameters {
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

/** Random EASE weights over markets KX0…KX(n − 1) (its default bound: 2,500). */
export function randomEase(n: number, rng: Rng): EaseParameters {
  return {
    hp: EaseHyperparameters.parse({ maxItems: n }),
    itemIds: Array.from({ length: n }, (_, i) => `KX${i}`),
    weights: Float32Array.from({ length: n * n }, () => rng.normal() * 0.01),
  };
}

/** Random BPR-MF factors (dim 64) over markets KX0…KX(items − 1), with no trained user: everyone is placed by their history. */
export function randomBpr(items: number, rng: Rng): BprParameters {
  const hp = BprHyperparameters.parse({});
  return {
    hp,
    userIds: [],
    itemIds: Array.from({ length: items }, (_, i) => `KX${i}`),
    p: new Float32Array(0),
    q: Float32Array.from({ length: items * hp.dim }, () => rng.normal() * 0.1),
    b: Float32Array.from({ length: items }, () => rng.normal() * 0.1),
  };
}
