import type { ServingModel } from '../../models/core/types.js';
import { marketContentTokens } from '../../models/data/market-content.js';
import { SibylError } from '../errors.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import type { CatalogueMarket, CatalogueSnapshot } from './catalogue/market-catalogue.js';
import { topK } from '../../models/vector-search/top-k.js';
import { marketIndex } from './catalogue/market-index.js';
import { catalogueArrays } from './catalogue/catalogue-arrays.js';
import { annIndex } from './catalogue/ann-indexes.js';
import { cardOf, type MarketCard } from './market-card.js';

export interface SimilarMarkets {
  ticker: string;
  /** `model`: cosine of the active model's market vectors; `co-interaction`: market_neighbours. */
  source: 'model' | 'co-interaction';
  model: string | null;
  /** Market cards (./market-card.ts) with their similarity. */
  items: (MarketCard & { score: number })[];
}

/**
 * Open markets like `ticker` (which may itself be closed): by the model's market vectors when a
 * cosine model (the default ranker's kind) is loaded (new markets included, from their content), else by co-interaction
 * (`market_neighbours`, held with the catalogue). Large catalogues are searched through their ANN
 * index once it is built. Other markets of the same event are left out: they are the obvious
 * siblings, not discoveries. 404 for a market the catalogue has never had.
 */
export async function similarMarkets(
  store: Store,
  catalogue: CatalogueSnapshot,
  model: ServingModel | undefined,
  ticker: string,
  limit: number,
): Promise<SimilarMarkets> {
  const open = catalogue.byTicker.get(ticker);
  const doc = open ? undefined : await coll(store, 'markets').findOne({ ticker }, { projection: { _id: 0 } });
  if (!open && !doc) throw new SibylError('not_found', `Unknown market "${ticker}"`);
  const eventTicker = open?.eventTicker ?? doc!.eventTicker;
  const item = (m: CatalogueMarket, score: number) => ({
    ...cardOf(m),
    score: Math.round(score * 1e4) / 1e4,
  });

  // Only a cosine model's market vectors say how alike two markets are.
  if (model?.space === 'cosine') {
    const index = marketIndex(catalogue, model);
    const { row, eventRows } = catalogueArrays(catalogue);
    const query = open
      ? index.row(row.get(ticker)!)
      : model.marketVectors([{ ticker, content: marketContentTokens(doc!) }]);
    // Every open market but the event's; the ANN index's approximate search when one is built.
    const mask = new Uint8Array(index.size).fill(1);
    for (const i of eventRows.get(eventTicker) ?? []) mask[i] = 0;
    const ann = annIndex(catalogue, model);
    const scores = ann ? ann.similarity : index.scores(query);
    const best = ann ? ann.search(query, limit, mask, 1) : topK(scores, limit, mask, 1);
    const items = Array.from(best, (i) => item(catalogue.markets[i]!, scores[i]!));
    return { ticker, source: 'model', model: model.version, items };
  }

  const items = (catalogue.neighbours.get(ticker) ?? []).flatMap((n) => {
    const m = catalogue.byTicker.get(n.ticker);
    return m && m.eventTicker !== eventTicker ? [item(m, n.score)] : [];
  });
  return { ticker, source: 'co-interaction', model: null, items: items.slice(0, limit) };
}
