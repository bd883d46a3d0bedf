import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import { marketContentTokens } from '../../models/data/market-content.js';
import { SibylError } from '../errors.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import type { CatalogSnapshot } from './catalog.js';
import { MARKET_NEIGHBOURS } from '../features/market-neighbours.js';
import { marketVectors } from './two-tower-ranker.js';
import { catalogArrays } from './catalog-arrays.js';
import { dot } from '../../models/core/dot.js';

export interface SimilarMarkets {
  ticker: string;
  /** `model`: cosine of the active model's market vectors; `co-interaction`: market_neighbours. */
  source: 'model' | 'co-interaction';
  model: string | null;
  items: { ticker: string; eventTicker: string; title: string; category: string; score: number }[];
}

/**
 * Open markets like `ticker` (which may itself be closed): by the active model's market vectors
 * when a model is loaded (new markets included, from their content), else by co-interaction
 * (`market_neighbours`). Other markets of the same event are left out: they are the obvious
 * siblings, not discoveries. 404 for a market the catalogue has never had.
 */
export async function similarMarkets(
  store: Store,
  catalog: CatalogSnapshot,
  model: TwoTowerServing | undefined,
  ticker: string,
  limit: number,
): Promise<SimilarMarkets> {
  const open = catalog.byTicker.get(ticker);
  const doc = open ? undefined : await coll(store, 'markets').findOne({ ticker }, { projection: { _id: 0 } });
  if (!open && !doc) throw new SibylError('not_found', `Unknown market "${ticker}"`);
  const eventTicker = open?.eventTicker ?? doc!.eventTicker;
  const candidates = catalog.markets.filter((m) => m.ticker !== ticker && m.eventTicker !== eventTicker);

  const item = (m: (typeof candidates)[number], score: number) => ({
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    title: m.title,
    category: m.category,
    score: Math.round(score * 1e4) / 1e4,
  });

  if (model) {
    const d = model.dim;
    const vectors = marketVectors(catalog, model);
    const { row } = catalogArrays(catalog);
    const query = open
      ? vectors.subarray(row.get(ticker)! * d, row.get(ticker)! * d + d)
      : model.marketVectors([{ ticker, content: marketContentTokens(doc!) }]);
    const scored = candidates.map((m) => item(m, dot(query, 0, vectors, row.get(m.ticker)! * d, d)));
    scored.sort((a, b) => b.score - a.score || (a.ticker < b.ticker ? -1 : 1));
    return { ticker, source: 'model', model: model.version, items: scored.slice(0, limit) };
  }

  const stored = await store.collection(MARKET_NEIGHBOURS).findOne({ ticker });
  const neighbours = (stored?.neighbours ?? []) as { ticker: string; score: number }[];
  const items = neighbours.flatMap((n) => {
    const m = catalog.byTicker.get(n.ticker);
    return m && m.eventTicker !== eventTicker ? [item(m, n.score)] : [];
  });
  return { ticker, source: 'co-interaction', model: null, items: items.slice(0, limit) };
}
