import type { ItemContent } from '../../../models/core/types.js';
import type { ServingModel } from '../../../models/core/types.js';
import { catalogueArrays } from './catalogue-arrays.js';
import type { CatalogueMarket, CatalogueSnapshot } from './market-catalogue.js';

/**
 * Values kept per catalogue snapshot and model (an index of that snapshot's markets under that
 * model), held no longer than either: during a model swap both models serve the same snapshot.
 * Each model's latest value is remembered too, so the next snapshot can start from it (copy the
 * rows it shares, or share the value whole when its rows are the same).
 */
export class SnapshotModelMap<V> {
  private readonly bySnapshot = new WeakMap<CatalogueSnapshot, WeakMap<ServingModel, V>>();
  private readonly latestByModel = new WeakMap<ServingModel, { catalogue: CatalogueSnapshot; value: V }>();

  get(catalogue: CatalogueSnapshot, model: ServingModel): V | undefined {
    return this.bySnapshot.get(catalogue)?.get(model);
  }

  /** Stores `value` (the model's latest) and returns it. */
  set(catalogue: CatalogueSnapshot, model: ServingModel, value: V): V {
    let byModel = this.bySnapshot.get(catalogue);
    if (!byModel) this.bySnapshot.set(catalogue, (byModel = new WeakMap()));
    byModel.set(model, value);
    this.latestByModel.set(model, { catalogue, value });
    return value;
  }

  /** The value stored last for this model, and its snapshot. */
  latest(model: ServingModel): { catalogue: CatalogueSnapshot; value: V } | undefined {
    return this.latestByModel.get(model);
  }

  /**
   * The model's latest value, stored for `catalogue` too, when `catalogue` holds the same markets row
   * for row with the same content (a refresh in which only prices or volumes moved).
   */
  shareIfSameRows(catalogue: CatalogueSnapshot, model: ServingModel): V | undefined {
    const last = this.latest(model);
    if (!last || !sameRows(last.catalogue.markets, catalogue.markets)) return undefined;
    return this.set(catalogue, model, last.value);
  }
}

/**
 * Matches `markets` against the rows of a previous snapshot: calls `copy(from, to, previous)` for
 * each run of rows from…to−1 that were rows previous… there with the same content, and returns the
 * rows that were not there (or whose content changed).
 */
export function copyKnownRuns(
  before: CatalogueSnapshot,
  markets: readonly CatalogueMarket[],
  copy: (from: number, to: number, previous: number) => void,
): number[] {
  const row = catalogueArrays(before).row;
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
export function sameRows(a: readonly CatalogueMarket[], b: readonly CatalogueMarket[]): boolean {
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
