/**
 * Rows [rowStart, rowEnd) of the in-batch softmax's forward and backward pass (InBatchSoftmaxStep),
 * in place: s_ij = u_i·m_j / τ − log q_j, −∞ where row j holds row i's item (j ≠ i), softmax per
 * row, then ∂loss/∂s_ij = w_i (p_ij − δ_ij) / Σw with the 1/τ folded in. Each block of rows is also
 * written transposed into `gT` (columns rowStart…rowEnd), which dM = Gᵀ·U reads: done here, each
 * thread on its own rows, while they are in cache, instead of one pass over the whole matrix after.
 * Returns those rows' share of the loss. Self-contained (it calls nothing but Math): KernelPool's
 * workers run it from its source text.
 */
export function softmaxRows(
  /** n × n logits u·m, replaced by the loss's gradient. */
  s: Float32Array,
  /** n × n: receives the gradient's transpose at these rows' columns. */
  gT: Float32Array,
  logQ: Float32Array,
  /** Circular lists of the rows holding the same item (a row alone points to itself). */
  sameNext: Int32Array,
  weight: Float32Array,
  n: number,
  rowStart: number,
  rowEnd: number,
  invTau: number,
  weightSum: number,
): number {
  // Eight rows' gradients are transposed together: each column write then fills 32 bytes at once.
  const block = 8;
  let loss = 0;
  for (let i0 = rowStart; i0 < rowEnd; i0 += block) {
    const i1 = Math.min(rowEnd, i0 + block);
    for (let i = i0; i < i1; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) s[row + j] = s[row + j]! * invTau - logQ[j]!;
      for (let j = sameNext[i]!; j !== i; j = sameNext[j]!) s[row + j] = -Infinity;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (s[row + j]! > max) max = s[row + j]!;
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(s[row + j]! - max);
        s[row + j] = e;
        sum += e;
      }
      const wi = weight[i]! / weightSum;
      loss -= wi * Math.log(Math.max(s[row + i]! / sum, 1e-30));
      const g = (wi * invTau) / sum;
      for (let j = 0; j < n; j++) s[row + j] = s[row + j]! * g;
      s[row + i] = s[row + i]! - wi * invTau;
    }
    for (let j = 0; j < n; j++) {
      const o = j * n;
      for (let i = i0; i < i1; i++) gT[o + i] = s[i * n + j]!;
    }
  }
  return loss;
}
