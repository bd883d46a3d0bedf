import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { TopSelector } from '../core/top-selector.js';
import { assertFitted, itemPopularity, knownUser, normalised, userItems, type UserItems } from './common.js';

export interface ItemKnnOptions {
  /** Neighbours kept per item. Default 100. */
  neighbours?: number;
  /** Most recent items per user used for co-occurrence and scoring. Default 200. */
  maxUserItems?: number;
  /** Added to the cosine denominator: damps similarities resting on few users. Default 0 (plain cosine). */
  shrink?: number;
}

/** Below any similarity sum, enough to order items no neighbour reaches by popularity. */
const POPULARITY_TIE_BREAK = 1e-6;

/**
 * ItemKNN: cosine similarity between items' binary user vectors in the training set,
 * sim(i, j) = |U(i) ∩ U(j)| / (√(|U(i)| · |U(j)|) + shrink), keeping each item's top-N neighbours;
 * a user's score for j is Σ sim(i, j) over the user's (200 most recent) training items i, plus a
 * 1e-6 · popularity tie-break. Co-occurrences are accumulated one item at a time into a dense
 * scratch row (cost Σ_users |items|², bounded by the per-user cap), never as a full item × item matrix.
 */
export class ItemKnnRecommender implements Recommender {
  readonly name = 'item-knn';
  private readonly neighbours: number;
  private readonly maxUserItems: number;
  private readonly shrink: number;
  private model:
    | {
        items: UserItems;
        start: Int32Array;
        neighbour: Int32Array;
        sim: Float32Array;
        popularity: Float64Array;
      }
    | undefined;

  constructor(options: ItemKnnOptions = {}) {
    this.neighbours = options.neighbours ?? 100;
    this.maxUserItems = options.maxUserItems ?? 200;
    this.shrink = options.shrink ?? 0;
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    const { numItems, numUsers } = train;
    const items = userItems(train, this.maxUserItems);
    // Item → users (inverted index of the capped lists).
    const userStart = new Int32Array(numItems + 1);
    for (let k = 0; k < items.item.length; k++) userStart[items.item[k]! + 1]!++;
    for (let i = 0; i < numItems; i++) userStart[i + 1]! += userStart[i]!;
    const fill = userStart.slice(0, numItems);
    const users = new Int32Array(items.item.length);
    for (let u = 0; u < numUsers; u++) {
      for (let k = items.start[u]!; k < items.start[u + 1]!; k++) users[fill[items.item[k]!]!++] = u;
    }
    const count = (i: number) => userStart[i + 1]! - userStart[i]!;

    const co = new Float64Array(numItems);
    const touched = new Int32Array(numItems);
    const selector = new TopSelector(this.neighbours);
    const start = new Int32Array(numItems + 1);
    const neighbour: number[] = [];
    const sim: number[] = [];
    let lastReport = Date.now();
    for (let i = 0; i < numItems; i++) {
      let numTouched = 0;
      for (let k = userStart[i]!; k < userStart[i + 1]!; k++) {
        const u = users[k]!;
        for (let m = items.start[u]!; m < items.start[u + 1]!; m++) {
          const j = items.item[m]!;
          if (j === i) continue;
          if (co[j] === 0) touched[numTouched++] = j;
          co[j]! += 1;
        }
      }
      const ni = count(i);
      for (let t = 0; t < numTouched; t++) {
        const j = touched[t]!;
        co[j] = co[j]! / (Math.sqrt(ni * count(j)) + this.shrink);
      }
      const top = selector.select(co, touched.subarray(0, numTouched), this.neighbours);
      for (let t = 0; t < top.length; t++) {
        neighbour.push(top[t]!);
        sim.push(co[top[t]!]!);
      }
      start[i + 1] = neighbour.length;
      for (let t = 0; t < numTouched; t++) co[touched[t]!] = 0;
      if (options.onProgress && Date.now() - lastReport > 200) {
        options.onProgress(i / numItems, 'item-knn neighbours');
        lastReport = Date.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    options.onProgress?.(1, 'item-knn neighbours');
    this.model = {
      items,
      start,
      neighbour: Int32Array.from(neighbour),
      sim: Float32Array.from(sim),
      popularity: normalised(itemPopularity(train, Infinity)),
    };
  }

  scoreUser(user: number, out: Float32Array): void {
    const { items, start, neighbour, sim, popularity } = assertFitted(this.model, this.name);
    for (let j = 0; j < out.length; j++) out[j] = POPULARITY_TIE_BREAK * (popularity[j] ?? 0);
    if (!knownUser(items, user)) return;
    for (let k = items.start[user]!; k < items.start[user + 1]!; k++) {
      const i = items.item[k]!;
      for (let m = start[i]!; m < start[i + 1]!; m++) out[neighbour[m]!]! += sim[m]!;
    }
  }

  /** Item i's neighbours and similarities, best first (for inspection and tests). */
  neighboursOf(i: number): { item: number; sim: number }[] {
    const { start, neighbour, sim } = assertFitted(this.model, this.name);
    const out: { item: number; sim: number }[] = [];
    for (let m = start[i]!; m < start[i + 1]!; m++) out.push({ item: neighbour[m]!, sim: sim[m]! });
    return out;
  }
}
