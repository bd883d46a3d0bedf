import type { ItemContent } from '../../models/core/types.js';
import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import { VectorIndex } from '../../models/two-tower/vector-index.js';
import { catalogArrays } from './catalog-arrays.js';
import { SnapshotModelMap } from './snapshot-model-map.js';
import type { CatalogMarket, CatalogSnapshot } from './catalog.js';

/** Per model: the last catalogue snapshot it embedded, and that index. */
const latest = new WeakMap<TwoTowerServing, { catalog: CatalogSnapshot; index: VectorIndex }>();
const indexes = new SnapshotModelMap<VectorIndex>();

/**
 * The vector index of a catalogue snapshot's markets (row i for markets[i]) under `model`. Built
 * once per (snapshot, model), normally before either is published (catalogue refresh and model
 * swap call this), so requests find it ready. A rebuild embeds only markets that are new to the
 * model's last snapshot or whose content changed (a price moved into another bucket, a retitled
 * market) and copies the rest in runs of consecutive rows; a refresh whose markets changed only in
 * price or volume (same rows, same content tokens) shares the previous index.
 */
export function marketIndex(catalog: CatalogSnapshot, model: TwoTowerServing): VectorIndex {
  const plan = planIndex(catalog, model);
  if (plan instanceof VectorIndex) return plan;
  embedRows(catalog, model, plan.index, plan.missing);
  return register(catalog, model, plan.index);
}

/** Markets embedded per chunk by `marketIndexInChunks` (~10–20 ms of tower work). */
const CHUNK_MARKETS = 2048;

/**
 * `marketIndex`, embedding in chunks with `pause` awaited between them: for a model swap, where
 * every market is new to the model (seconds of work at 100k+ markets) and requests must keep
 * being served on the old model meanwhile.
 */
export async function marketIndexInChunks(
  catalog: CatalogSnapshot,
  model: TwoTowerServing,
  pause: () => Promise<void>,
): Promise<VectorIndex> {
  const plan = planIndex(catalog, model);
  if (plan instanceof VectorIndex) return plan;
  for (let start = 0; start < plan.missing.length; start += CHUNK_MARKETS) {
    embedRows(catalog, model, plan.index, plan.missing.slice(start, start + CHUNK_MARKETS));
    await pause();
  }
  // Another call may have finished this snapshot's index meanwhile: one index per (snapshot, model).
  return indexes.get(catalog, model) ?? register(catalog, model, plan.index);
}

/**
 * The index already built for this snapshot (or shared from an identical one), else a new one
 * with the rows it could copy filled in, and the rows left to embed.
 */
function planIndex(
  catalog: CatalogSnapshot,
  model: TwoTowerServing,
): VectorIndex | { index: VectorIndex; missing: number[] } {
  const cached = indexes.get(catalog, model);
  if (cached) return cached;
  const d = model.dim;
  const markets = catalog.markets;
  const last = latest.get(model);
  if (last && sameRows(last.catalog.markets, markets)) return register(catalog, model, last.index);
  const index = new VectorIndex(markets.length, d);
  const missing = last
    ? copyKnownRuns(last.catalog, markets, (from, to, previous) =>
        index.vectors.set(last.index.vectors.subarray(previous * d, (previous + to - from) * d), from * d),
      )
    : Array.from(markets.keys());
  return { index, missing };
}

function embedRows(
  catalog: CatalogSnapshot,
  model: TwoTowerServing,
  index: VectorIndex,
  rows: number[],
): void {
  if (rows.length === 0) return;
  const d = model.dim;
  const fresh = model.marketVectors(rows.map((i) => catalog.markets[i]!));
  rows.forEach((i, j) => index.vectors.set(fresh.subarray(j * d, j * d + d), i * d));
}

function register(catalog: CatalogSnapshot, model: TwoTowerServing, index: VectorIndex): VectorIndex {
  latest.set(model, { catalog, index });
  return indexes.set(catalog, model, index);
}

/**
 * Matches `markets` against the rows of a previous snapshot: calls `copy(from, to, previous)` for
 * each run of rows from…to−1 that were rows previous… there with the same content, and returns the
 * rows that were not there (or whose content changed).
 */
export function copyKnownRuns(
  before: CatalogSnapshot,
  markets: readonly CatalogMarket[],
  copy: (from: number, to: number, previous: number) => void,
): number[] {
  const row = catalogArrays(before).row;
  const old = before.markets;
  const same = (i: number, j: number) =>
    j < old.length &&
    old[j]!.ticker === markets[i]!.ticker &&
    sameContent(old[j]!.content, markets[i]!.content);
  const unknown: number[] = [];
  for (let i = 0; i < markets.length;) {
    const j = row.get(markets[i]!.ticker);
    if (j === undefined || !same(i, j)) {
      unknown.push(i++);
      continue;
    }
    let end = i + 1;
    while (end < markets.length && same(end, j + end - i)) end++;
    copy(i, end, j);
    i = end;
  }
  return unknown;
}

/** Whether two catalogues hold the same markets, row for row, with the same content. */
export function sameRows(a: readonly CatalogMarket[], b: readonly CatalogMarket[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.ticker !== b[i]!.ticker || !sameContent(a[i]!.content, b[i]!.content)) return false;
  return true;
}

/** Whether two markets' content tokens are the same (so are their vectors under one model). */
function sameContent(a: ItemContent, b: ItemContent): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
