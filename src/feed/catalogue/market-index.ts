import type { ServingModel } from '../../../models/core/types.js';
import { SlotIndex } from '../../../models/vector-search/slot-index.js';
import { VectorIndex } from '../../../models/vector-search/vector-index.js';
import { copyKnownRuns, SnapshotModelMap } from './snapshot-model-map.js';
import type { CatalogueSnapshot } from './market-catalogue.js';

const indexes = new SnapshotModelMap<VectorIndex>();
const slotIndexes = new SnapshotModelMap<SlotIndex>();

/** What the feed scores a user against: a model's vectors of the catalogue's markets, or their one-hot coordinates. */
export type MarketScores = VectorIndex | SlotIndex;

/**
 * The catalogue's markets under `model` as the feed scores them: their coordinates for a model
 * with one-hot market vectors (`marketSlots`, EASE), else their vectors (`marketIndex`).
 */
export function marketScores(catalogue: CatalogueSnapshot, model: ServingModel): MarketScores {
  if (!model.marketSlots) return marketIndex(catalogue, model);
  return (
    slotIndexes.get(catalogue, model) ??
    slotIndexes.set(catalogue, model, new SlotIndex(model.marketSlots(catalogue.markets), model.dim))
  );
}

/** `marketScores`, with the vectors of a new model embedded in chunks (see marketIndexInChunks). */
export async function marketScoresInChunks(
  catalogue: CatalogueSnapshot,
  model: ServingModel,
  pause: () => Promise<void>,
): Promise<MarketScores> {
  return model.marketSlots ? marketScores(catalogue, model) : marketIndexInChunks(catalogue, model, pause);
}

/**
 * The vector index of a catalogue snapshot's markets (row i for markets[i]) under `model`. Built
 * once per (snapshot, model), normally before either is published (catalogue refresh and model
 * swap call this), so requests find it ready. A rebuild embeds only markets that are new to the
 * model's last snapshot or whose content changed (a price moved into another bucket, a retitled
 * market) and copies the rest in runs of consecutive rows; a refresh whose markets changed only in
 * price or volume (same rows, same content tokens) shares the previous index.
 */
export function marketIndex(catalogue: CatalogueSnapshot, model: ServingModel): VectorIndex {
  const plan = planIndex(catalogue, model);
  if (plan instanceof VectorIndex) return plan;
  embedRows(catalogue, model, plan.index, plan.missing);
  return indexes.set(catalogue, model, plan.index);
}

/** Markets embedded per chunk by `marketIndexInChunks` (~10–20 ms of tower work). */
const CHUNK_MARKETS = 2048;

/**
 * `marketIndex`, embedding in chunks with `pause` awaited between them: for a model swap, where
 * every market is new to the model (seconds of work at 100k+ markets) and requests must keep
 * being served on the old model meanwhile.
 */
export async function marketIndexInChunks(
  catalogue: CatalogueSnapshot,
  model: ServingModel,
  pause: () => Promise<void>,
): Promise<VectorIndex> {
  const plan = planIndex(catalogue, model);
  if (plan instanceof VectorIndex) return plan;
  for (let start = 0; start < plan.missing.length; start += CHUNK_MARKETS) {
    embedRows(catalogue, model, plan.index, plan.missing.slice(start, start + CHUNK_MARKETS));
    await pause();
  }
  // Another call may have finished this snapshot's index meanwhile: one index per (snapshot, model).
  return indexes.get(catalogue, model) ?? indexes.set(catalogue, model, plan.index);
}

/**
 * The index already built for this snapshot (or shared from an identical one), else a new one
 * with the rows it could copy filled in, and the rows left to embed.
 */
function planIndex(
  catalogue: CatalogueSnapshot,
  model: ServingModel,
): VectorIndex | { index: VectorIndex; missing: number[] } {
  const ready = indexes.get(catalogue, model) ?? indexes.shareIfSameRows(catalogue, model);
  if (ready) return ready;
  const d = model.dim;
  const markets = catalogue.markets;
  const last = indexes.latest(model);
  const index = new VectorIndex(markets.length, d);
  const missing = last
    ? copyKnownRuns(last.catalogue, markets, (from, to, previous) =>
        index.vectors.set(last.value.vectors.subarray(previous * d, (previous + to - from) * d), from * d),
      )
    : Array.from(markets.keys());
  return { index, missing };
}

function embedRows(
  catalogue: CatalogueSnapshot,
  model: ServingModel,
  index: VectorIndex,
  rows: number[],
): void {
  if (rows.length === 0) return;
  const d = model.dim;
  const fresh = model.marketVectors(rows.map((i) => catalogue.markets[i]!));
  rows.forEach((i, j) => index.vectors.set(fresh.subarray(j * d, j * d + d), i * d));
}
