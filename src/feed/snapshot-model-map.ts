import type { TwoTowerServing } from '../../models/two-tower/serving.js';
import type { CatalogSnapshot } from './catalog.js';

/**
 * Values kept per catalogue snapshot and model (an index of that snapshot's markets under that
 * model), held no longer than either: during a model swap both models serve the same snapshot.
 */
export class SnapshotModelMap<V> {
  private readonly bySnapshot = new WeakMap<CatalogSnapshot, WeakMap<TwoTowerServing, V>>();

  get(catalog: CatalogSnapshot, model: TwoTowerServing): V | undefined {
    return this.bySnapshot.get(catalog)?.get(model);
  }

  /** Stores `value` and returns it. */
  set(catalog: CatalogSnapshot, model: TwoTowerServing, value: V): V {
    let byModel = this.bySnapshot.get(catalog);
    if (!byModel) this.bySnapshot.set(catalog, (byModel = new WeakMap()));
    byModel.set(model, value);
    return value;
  }
}
