import type { CatalogArrays } from './catalog-arrays.js';
import type { CatalogMarket } from './catalog.js';

/** What a feed request filters on, besides the user's dismissals (and held markets, per ranker). */
export interface FeedFilter {
  /** Lower-cased categories to keep; empty keeps all. */
  categories: string[];
  /** Markets must close after this. */
  minCloseTime: Date;
}

/**
 * The feed's filters in their two forms, kept side by side because they must agree: per market
 * (checked again when a snapshot page is served, so a market that closed or was dismissed since
 * leaves the feed at once) and as a mask over a catalogue's rows (when ranking).
 */
export function eligible(m: CatalogMarket, excluded: ReadonlySet<string>, filter: FeedFilter): boolean {
  return (
    m.closeTime > filter.minCloseTime &&
    !excluded.has(m.ticker) &&
    (filter.categories.length === 0 || filter.categories.includes(m.categoryKey))
  );
}

/** 1 for each row `eligible` would accept, else 0 (the snapshot's scratch: valid for this request). */
export function eligibilityMask(
  a: CatalogArrays,
  excluded: Iterable<string>,
  filter: FeedFilter,
): Uint8Array {
  const n = a.closeMs.length;
  const mask = a.scratch.mask;
  const minClose = filter.minCloseTime.getTime();
  const wanted =
    filter.categories.length > 0
      ? Uint8Array.from(a.categoryKeys, (k) => (filter.categories.includes(k) ? 1 : 0))
      : undefined;
  for (let i = 0; i < n; i++)
    mask[i] = a.closeMs[i]! > minClose && (!wanted || wanted[a.category[i]!] === 1) ? 1 : 0;
  for (const ticker of excluded) {
    const i = a.row.get(ticker);
    if (i !== undefined) mask[i] = 0;
  }
  return mask;
}
