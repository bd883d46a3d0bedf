import { dot } from '../vector-search/dot.js';

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
