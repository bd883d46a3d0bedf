import type { ItemContent } from '../core/types.js';

/** FNV-1a: a stable hash of a content token, so artifacts stay valid across processes. */
export function hashToken(token: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return (h >>> 0) % buckets;
}

/** Content tokens of every item hashed into buckets, as CSR: item i owns ids[offsets[i]..offsets[i+1]). */
export interface HashedContent {
  offsets: Int32Array;
  ids: Int32Array;
}

export function hashContent(
  content: readonly ItemContent[] | undefined,
  numItems: number,
  buckets: number,
  maxTokens: number,
): HashedContent {
  const offsets = new Int32Array(numItems + 1);
  const ids: number[] = [];
  for (let i = 0; i < numItems; i++) {
    ids.push(...hashTokens(content?.[i], buckets, maxTokens));
    offsets[i + 1] = ids.length;
  }
  return { offsets, ids: Int32Array.from(ids) };
}

/** The distinct buckets of an item's tokens, at most `maxTokens` of them, in token order. */
export function hashTokens(content: ItemContent | undefined, buckets: number, maxTokens: number): number[] {
  const seen = new Set<number>();
  for (const token of content ?? []) {
    if (seen.size >= maxTokens) break;
    seen.add(hashToken(token, buckets));
  }
  return [...seen];
}

/** out[o .. o+d) += the mean of `table`'s rows ids[from .. to) (nothing when the range is empty). */
export function addMeanRows(
  table: Float32Array,
  d: number,
  ids: ArrayLike<number>,
  from: number,
  to: number,
  out: Float32Array,
  o: number,
): void {
  const scale = 1 / (to - from);
  for (let t = from; t < to; t++) {
    const row = ids[t]! * d;
    for (let k = 0; k < d; k++) out[o + k]! += table[row + k]! * scale;
  }
}
