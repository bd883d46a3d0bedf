import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { DEFAULT_HALF_LIFE_MS } from '../../src/domain/interaction-weights.js';
import { assertFitted, itemPopularity, knownUser, userItems, type UserItems } from './common.js';

export interface CategoryAffinityOptions {
  /** Pseudo-weight of the global category mix in each user's mix. Default 1. */
  alpha?: number;
  /** Pseudo-popularity every item gets within its category, so unseen items score by category alone. Default 0.1. */
  gamma?: number;
  /** Half-life of the within-category popularity. Default 7 days. */
  halfLifeMs?: number;
}

const CATEGORY_PREFIX = 'category:';

/**
 * Category affinity: P(i | u) ≈ Σ_{c ∈ categories(i)} P(c | u) · P(i | c), where
 * - P(c | u) = (w(u, c) + α · P(c)) / (w(u) + α): the user's weighted share of training interactions
 *   in category c, smoothed towards the global share P(c) (a user without history gets P(c));
 * - P(i | c) = (pop(i) + γ) / (Σ_{j ∈ c} pop(j) + γ · |c|): the item's share of its category's
 *   recency-weighted popularity (7-day half-life), smoothed so that a market nobody touched yet
 *   still scores by its category, which is what lets this baseline rank brand-new markets.
 * Categories are the `category:` content tokens; an item without one, or every item when the
 * training set has no content, is in one "uncategorised" category, where the score reduces to
 * popularity.
 */
export class CategoryAffinityRecommender implements Recommender {
  readonly name = 'category-affinity';
  private readonly alpha: number;
  private readonly gamma: number;
  private readonly halfLifeMs: number;
  private model:
    | {
        items: UserItems;
        /** Item → categories (CSR) and P(i | c) for each pair. */
        catStart: Int32Array;
        cat: Int32Array;
        pItemGivenCat: Float64Array;
        /** Share of each item's weight per category: 1 / |categories(i)|. */
        itemShare: Float64Array;
        pCat: Float64Array;
        userMix: Float64Array;
      }
    | undefined;

  constructor(options: CategoryAffinityOptions = {}) {
    this.alpha = options.alpha ?? 1;
    this.gamma = options.gamma ?? 0.1;
    this.halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  }

  async fit(train: TrainSet, options: FitOptions): Promise<void> {
    options.onProgress?.(0, 'category-affinity');
    const { numItems, log } = train;
    const catIndex = new Map<string, number>();
    const catStart = new Int32Array(numItems + 1);
    const cat: number[] = [];
    for (let i = 0; i < numItems; i++) {
      const before = cat.length;
      for (const token of train.content?.[i] ?? []) {
        if (!token.startsWith(CATEGORY_PREFIX)) continue;
        let c = catIndex.get(token);
        if (c === undefined) catIndex.set(token, (c = catIndex.size));
        if (!cat.slice(before).includes(c)) cat.push(c);
      }
      if (cat.length === before) {
        let c = catIndex.get('');
        if (c === undefined) catIndex.set('', (c = catIndex.size));
        cat.push(c);
      }
      catStart[i + 1] = cat.length;
    }
    const numCats = catIndex.size;
    const itemShare = new Float64Array(numItems);
    for (let i = 0; i < numItems; i++) itemShare[i] = 1 / (catStart[i + 1]! - catStart[i]!);

    // P(i | c) from recency-weighted popularity.
    const pop = itemPopularity(train, this.halfLifeMs);
    const catPop = new Float64Array(numCats);
    const catSize = new Float64Array(numCats);
    for (let i = 0; i < numItems; i++) {
      for (let k = catStart[i]!; k < catStart[i + 1]!; k++) {
        catPop[cat[k]!]! += Math.max(0, pop[i]!);
        catSize[cat[k]!]!++;
      }
    }
    const pItemGivenCat = new Float64Array(cat.length);
    for (let i = 0; i < numItems; i++) {
      for (let k = catStart[i]!; k < catStart[i + 1]!; k++) {
        const c = cat[k]!;
        pItemGivenCat[k] = (Math.max(0, pop[i]!) + this.gamma) / (catPop[c]! + this.gamma * catSize[c]!);
      }
    }

    // Global category mix P(c) from training weights.
    const pCat = new Float64Array(numCats);
    let total = 0;
    for (let r = 0; r < log.item.length; r++) {
      const i = log.item[r]!;
      const w = Math.max(0, log.weight[r]!);
      for (let k = catStart[i]!; k < catStart[i + 1]!; k++) pCat[cat[k]!]! += w * itemShare[i]!;
      total += w;
    }
    for (let c = 0; c < numCats; c++) pCat[c] = total > 0 ? pCat[c]! / total : 1 / numCats;

    this.model = {
      items: userItems(train),
      catStart,
      cat: Int32Array.from(cat),
      pItemGivenCat,
      itemShare,
      pCat,
      userMix: new Float64Array(numCats),
    };
    options.onProgress?.(1, 'category-affinity');
  }

  scoreUser(user: number, out: Float32Array): void {
    const m = assertFitted(this.model, this.name);
    const { items, catStart, cat, pItemGivenCat, itemShare, pCat, userMix } = m;
    // P(c | u)
    userMix.fill(0);
    let total = 0;
    if (knownUser(items, user)) {
      for (let k = items.start[user]!; k < items.start[user + 1]!; k++) {
        const i = items.item[k]!;
        const w = Math.max(0, items.weight[k]!);
        for (let q = catStart[i]!; q < catStart[i + 1]!; q++) userMix[cat[q]!]! += w * itemShare[i]!;
        total += w;
      }
    }
    for (let c = 0; c < userMix.length; c++)
      userMix[c] = (userMix[c]! + this.alpha * pCat[c]!) / (total + this.alpha);
    const numItems = Math.min(out.length, catStart.length - 1);
    for (let i = 0; i < numItems; i++) {
      let s = 0;
      for (let q = catStart[i]!; q < catStart[i + 1]!; q++) s += userMix[cat[q]!]! * pItemGivenCat[q]!;
      out[i] = s;
    }
  }
}
