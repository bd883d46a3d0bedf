import type { CatalogueArrays } from '../catalogue/catalogue-arrays.js';
import type { CatalogueMarket } from '../catalogue/market-catalogue.js';

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
export function eligible(m: CatalogueMarket, excluded: ReadonlySet<string>, filter: FeedFilter): boolean {
  return (
    m.closeTime > filter.minCloseTime &&
    !excluded.has(m.ticker) &&
    (filter.categories.length === 0 || filter.categories.includes(m.categoryKey))
  );
}

/**
 * Rows open past `since` (1, else 0), and the rows among them that close within the window after
 * it, by close time. A request whose cut falls in that window copies `open` and clears the rows that
 * closed before its cut: at 300k markets a copy and a few rows instead of a pass comparing every
 * close time (~0.5 ms).
 */
interface CloseCut {
  since: number;
  open: Uint8Array;
  closing: Int32Array;
}

/** How far past a cut's `since` requests may start from it (a catalogue snapshot lives seconds). */
const CUT_WINDOW_MS = 10 * 60_000;
/** Cuts kept per snapshot: the feed's horizon and trending's differ. */
const CUTS_PER_SNAPSHOT = 4;
const cuts = new WeakMap<CatalogueArrays, CloseCut[]>();

function closeCut(a: CatalogueArrays, minClose: number): CloseCut {
  let kept = cuts.get(a);
  if (!kept) cuts.set(a, (kept = []));
  const found = kept.find((c) => c.since <= minClose && minClose <= c.since + CUT_WINDOW_MS);
  if (found) return found;
  const n = a.closeMs.length;
  const open = new Uint8Array(n);
  const closing: number[] = [];
  const until = minClose + CUT_WINDOW_MS;
  for (let i = 0; i < n; i++) {
    const close = a.closeMs[i]!;
    if (close > minClose) {
      open[i] = 1;
      if (close <= until) closing.push(i);
    }
  }
  closing.sort((x, y) => a.closeMs[x]! - a.closeMs[y]!);
  const cut = { since: minClose, open, closing: Int32Array.from(closing) };
  if (kept.unshift(cut) > CUTS_PER_SNAPSHOT) kept.pop();
  return cut;
}

/** 1 for each row `eligible` would accept, else 0 (the snapshot's scratch: valid for this request). */
export function eligibilityMask(
  a: CatalogueArrays,
  excluded: Iterable<string>,
  filter: FeedFilter,
): Uint8Array {
  const mask = a.scratch.mask;
  const minClose = filter.minCloseTime.getTime();
  const cut = closeCut(a, minClose);
  if (filter.categories.length === 0) mask.set(cut.open);
  else {
    // Only the wanted categories' rows (each category's rows are listed already).
    mask.fill(0);
    a.categoryKeys.forEach((key, c) => {
      if (!filter.categories.includes(key)) return;
      for (const row of a.categoryByPopularity[c]!) mask[row] = cut.open[row]!;
    });
  }
  for (let j = 0; j < cut.closing.length; j++) {
    const row = cut.closing[j]!;
    if (a.closeMs[row]! > minClose) break;
    mask[row] = 0;
  }
  for (const ticker of excluded) {
    const i = a.row.get(ticker);
    if (i !== undefined) mask[i] = 0;
  }
  return mask;
}
