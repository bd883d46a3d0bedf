import { dot } from '../vector-search/dot.js';
import type { FitOptions, Recommender, TrainSet } from '../core/types.js';
import { assertFitted, itemPopularity, knownUser, normalised, userItems, type UserItems } from './common.js';

export interface EaseOptions {
  /** L2 regularisation λ added to the Gram diagonal. Default 500. */
  lambda?: number;
  /** The model covers this many of the most popular training items (O(N³) fit, N² memory). Default 2,500. */
  maxItems?: number;
}

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): with X the binary user × item matrix of
 * training pairs and P = (XᵀX + λI)⁻¹, the item–item weights are B = I − P · diagMat(1 / diag(P)),
 * i.e. B_ij = −P_ij / P_jj off the diagonal and 0 on it; a user's score for j is Σ_{i ∈ items(u)} B_ij.
 * The closed form needs an N × N inverse, so the model covers the N most popular training items
 * (by distinct users, ties by index); every other item is ranked below all of them by popularity.
 * A user with no item among the N gets popularity alone.
 */
export class EaseRecommender implements Recommender {
  readonly name = 'ease';
  readonly lambda: number;
  readonly maxItems: number;
  private model:
    | {
        items: UserItems;
        /** Item index → row of B, or −1 outside the modelled set. */
        slot: Int32Array;
        /** Row → item index. */
        modelled: Int32Array;
        /** B as rows of length N (Float32). */
        weights: Float32Array;
        popularity: Float64Array;
      }
    | undefined;

  constructor(options: EaseOptions = {}) {
    this.lambda = options.lambda ?? 500;
    this.maxItems = options.maxItems ?? 2500;
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
    this.model = { items, slot, modelled, weights, popularity: normalised(itemPopularity(train, Infinity)) };
    report(1, 'ease');
  }

  scoreUser(user: number, out: Float32Array): void {
    const { items, slot, modelled, weights, popularity } = assertFitted(this.model, this.name);
    const n = modelled.length;
    const numItems = Math.min(out.length, popularity.length);
    let any = false;
    out.fill(0);
    if (knownUser(items, user)) {
      for (let k = items.start[user]!; k < items.start[user + 1]!; k++) {
        const s = slot[items.item[k]!]!;
        if (s < 0) continue;
        any = true;
        const row = s * n;
        for (let t = 0; t < n; t++) out[modelled[t]!]! += weights[row + t]!;
      }
    }
    if (!any) {
      for (let i = 0; i < numItems; i++) out[i] = popularity[i]!;
      return;
    }
    // Unmodelled items go below every modelled one, ordered by popularity (in [min − 2, min − 1]).
    let min = Infinity;
    for (let t = 0; t < n; t++) min = Math.min(min, out[modelled[t]!]!);
    for (let i = 0; i < numItems; i++) if (slot[i]! < 0) out[i] = min - 2 + popularity[i]!;
  }
}

/**
 * Inverts the symmetric positive definite n × n matrix whose lower triangle is in `a` (row-major),
 * leaving the inverse's lower triangle in `a`. Cholesky A = LLᵀ, then T = L⁻ᵀ (upper triangle), then
 * A⁻¹ = T Tᵀ; every inner loop is a dot product of two contiguous row segments, about n³/2
 * multiply-adds in all. Yields to the event loop between rows.
 */
export async function invertSpdInPlace(
  a: Float64Array,
  n: number,
  onProgress?: (f: number) => void,
): Promise<void> {
  const diag = new Float64Array(n); // L's diagonal (the array's diagonal is reused for T)
  let last = Date.now();
  const tick = async (f: number) => {
    if (Date.now() - last < 200) return;
    last = Date.now();
    onProgress?.(f);
    await new Promise((resolve) => setImmediate(resolve));
  };
  // 1. Cholesky–Banachiewicz: L (strictly lower part) in place, diagonal in `diag`.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = a[ri + j]! - dot(a, ri, a, rj, j);
      if (i === j) {
        if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${i}: ${s})`);
        diag[i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / diag[j]!;
      }
    }
    await tick((i / n) * (1 / 3));
  }
  // 2. T = (L⁻¹)ᵀ in the upper triangle with its diagonal: row j of T is column j of L⁻¹, from
  //    T[j][i] = −(Σ_{k=j}^{i−1} L[i][k] · T[j][k]) / L[i][i] for i > j, T[j][j] = 1 / L[j][j].
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    a[rj + j] = 1 / diag[j]!;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[rj + i] = -dot(a, ri + j, a, rj + j, i - j) / diag[i]!;
    }
    await tick(1 / 3 + (j / n) * (1 / 3));
  }
  // 3. P[i][j] = Σ_{k ≥ i} T[i][k] · T[j][k] for j ≤ i, into the lower triangle. Row i's products read
  //    T rows i and j from column i on; the diagonal P[i][i] (overwriting T[i][i]) is written last,
  //    and later rows never read T[i][i].
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = dot(a, ri + i, a, rj + i, n - i);
      if (j < i) a[ri + j] = s;
      else diag[i] = s;
    }
    a[ri + i] = diag[i]!;
    await tick(2 / 3 + (i / n) * (1 / 3));
  }
}
