import { mkdir } from 'node:fs/promises';
import type { FitOptions, PersistentRecommender, TrainSet } from '../core/types.js';
import {
  assertFitted,
  itemPopularity,
  knownUser,
  normalised,
  userItems,
  type UserItems,
} from '../baselines/common.js';
import { saveEase } from './artifact.js';
import { invertSpdInPlace } from './spd-inverse.js';
import { EASE_KIND, EaseHyperparameters, type EaseParameters } from './parameters.js';

/** What scoring needs of the train set it answers for (bound after fit, or by `bind`). */
interface Bound {
  items: UserItems;
  /** Item index → slot of B, or −1 outside the modelled set. */
  slot: Int32Array;
  /** Slot → item index of the bound train set, or −1 when it has no such item. */
  itemOf: Int32Array;
  popularity: Float64Array;
}

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): with X the binary user × item matrix of
 * training pairs and P = (XᵀX + λI)⁻¹, the item–item weights are B = I − P · diagMat(1 / diag(P)),
 * i.e. B_ij = −P_ij / P_jj off the diagonal and 0 on it; a user's score for j is Σ_{i ∈ items(u)} B_ij.
 * The closed form needs an N × N inverse, so the model covers the N most popular training items
 * (by distinct users, ties by index); every other item is ranked below all of them by popularity.
 * A user with no item among the N gets popularity alone. Also the registry kind `ease`: B is saved
 * with its items' ids, and bound to another split's vocabulary by id.
 */
export class EaseRecommender implements PersistentRecommender {
  readonly name = EASE_KIND;
  readonly kind = EASE_KIND;
  readonly hyperparameters: EaseHyperparameters;
  private params: EaseParameters | undefined;
  private bound: Bound | undefined;

  constructor(options: Partial<EaseHyperparameters> | Record<string, unknown> = {}, params?: EaseParameters) {
    this.hyperparameters = EaseHyperparameters.parse(options);
    this.params = params;
  }

  get lambda(): number {
    return this.hyperparameters.lambda;
  }

  get maxItems(): number {
    return this.hyperparameters.maxItems;
  }

  /** The learned parameters (after fit or load). */
  get parameters(): EaseParameters {
    return assertFitted(this.params, this.name);
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    const { numItems, numUsers } = train;
    const report = (f: number, stage: string) => options.onProgress?.(f, stage);
    report(0, 'ease gram');
    const items = userItems(train);
    const users = new Int32Array(numItems);
    for (let k = 0; k < items.item.length; k++) users[items.item[k]!]!++;
    const ranked = Array.from({ length: numItems }, (_, i) => i)
      .filter((i) => users[i]! > 0)
      .sort((a, b) => users[b]! - users[a]! || a - b)
      .slice(0, this.maxItems);
    const modelled = Int32Array.from(ranked).sort();
    const n = modelled.length;
    const slot = new Int32Array(numItems).fill(-1);
    modelled.forEach((item, s) => (slot[item] = s));

    // Gram matrix G = XᵀX over the modelled items (lower triangle is all Cholesky reads).
    const a = new Float64Array(n * n);
    const rows: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      rows.length = 0;
      for (let k = items.start[u]!; k < items.start[u + 1]!; k++) {
        const s = slot[items.item[k]!]!;
        if (s >= 0) rows.push(s);
      }
      for (const s of rows) {
        const base = s * n;
        for (const t of rows) if (t <= s) a[base + t]! += 1;
      }
    }
    for (let s = 0; s < n; s++) a[s * n + s]! += this.lambda;
    report(0.1, 'ease inverse');
    await invertSpdInPlace(a, n, (f) => report(0.1 + 0.85 * f, 'ease inverse'));

    // a's lower triangle now holds P = (G + λI)⁻¹.
    const at = (i: number, j: number) => (i >= j ? a[i * n + j]! : a[j * n + i]!);
    const weights = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) weights[i * n + j] = i === j ? 0 : -at(i, j) / at(j, j);
    }
    this.params = {
      hp: this.hyperparameters,
      itemIds: Array.from(modelled, (i) => train.log.itemIds[i]!),
      weights,
    };
    this.bound = { items, slot, itemOf: modelled, popularity: normalised(itemPopularity(train, Infinity)) };
    report(1, 'ease');
  }

  /** Answers for `train`'s users and items with B as learned: items by id, users by their rows there. */
  bind(train: TrainSet): void {
    const { itemIds } = this.parameters;
    const index = new Map(train.log.itemIds.map((id, i) => [id, i]));
    const slot = new Int32Array(train.numItems).fill(-1);
    const itemOf = Int32Array.from(itemIds, (id) => index.get(id) ?? -1);
    itemOf.forEach((item, s) => {
      if (item >= 0) slot[item] = s;
    });
    this.bound = {
      items: userItems(train),
      slot,
      itemOf,
      popularity: normalised(itemPopularity(train, Infinity)),
    };
  }

  scoreUser(user: number, out: Float32Array): void {
    const { items, slot, itemOf, popularity } = assertFitted(this.bound, this.name);
    const { weights } = this.parameters;
    const n = itemOf.length;
    const numItems = Math.min(out.length, popularity.length);
    let any = false;
    out.fill(0);
    if (knownUser(items, user)) {
      for (let k = items.start[user]!; k < items.start[user + 1]!; k++) {
        const s = slot[items.item[k]!]!;
        if (s < 0) continue;
        any = true;
        const row = s * n;
        for (let t = 0; t < n; t++) {
          const item = itemOf[t]!;
          if (item >= 0) out[item]! += weights[row + t]!;
        }
      }
    }
    if (!any) {
      for (let i = 0; i < numItems; i++) out[i] = popularity[i]!;
      return;
    }
    // Unmodelled items go below every modelled one, ordered by popularity (in [min − 2, min − 1]).
    let min = Infinity;
    for (let t = 0; t < n; t++) if (itemOf[t]! >= 0) min = Math.min(min, out[itemOf[t]!]!);
    for (let i = 0; i < numItems; i++) if (slot[i]! < 0) out[i] = min - 2 + popularity[i]!;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveEase(this.parameters, dir);
  }
}
