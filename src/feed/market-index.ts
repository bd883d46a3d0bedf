import type { ItemContent } from '../../models/core/types.js';
import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import { VectorIndex } from '../../models/two-tower/vector-index.js';
import type { CatalogSnapshot } from './catalog.js';

/** Per model: each market's vector as last embedded, and the content it was embedded from. */
const embedded = new WeakMap<TwoTowerServing, Map<string, { content: ItemContent; vector: Float32Array }>>();
const indexes = new WeakMap<CatalogSnapshot, { model: TwoTowerServing; index: VectorIndex }>();

/**
 * The vector index of a catalogue snapshot's markets (row i for markets[i]) under `model`. Built
 * once per (snapshot, model), normally before either is published (catalogue refresh and model
 * swap call this), so requests find it ready. A rebuild embeds only markets that are new to the
 * model or whose content changed (a price moved into another bucket, a retitled market): a
 * refresh of an unchanged 10k-market catalogue copies vectors instead of running the tower.
 */
export function marketIndex(catalog: CatalogSnapshot, model: TwoTowerServing): VectorIndex {
  const cached = indexes.get(catalog);
  if (cached?.model === model) return cached.index;
  const d = model.dim;
  const markets = catalog.markets;
  const index = new VectorIndex(markets.length, d);
  const previous = embedded.get(model);
  const missing: number[] = [];
  markets.forEach((m, i) => {
    const known = previous?.get(m.ticker);
    if (known && sameContent(known.content, m.content)) index.vectors.set(known.vector, i * d);
    else missing.push(i);
  });
  if (missing.length > 0) {
    const fresh = model.marketVectors(missing.map((i) => markets[i]!));
    missing.forEach((i, j) => index.vectors.set(fresh.subarray(j * d, j * d + d), i * d));
  }
  embedded.set(
    model,
    new Map(markets.map((m, i) => [m.ticker, { content: m.content, vector: index.row(i) }])),
  );
  indexes.set(catalog, { model, index });
  return index;
}

/** Whether two markets' content tokens are the same (so are their vectors under one model). */
export function sameContent(a: ItemContent, b: ItemContent): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
