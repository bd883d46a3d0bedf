import { byScore } from '../../../models/vector-search/top-k.js';
import type { CatalogueArrays } from '../catalogue/catalogue-arrays.js';
import type { RankerConfig, SourceName } from '../rankers/ranker-config.js';
import type { UserSignals } from '../user/user-signals.js';

/** Mask values: a row that passes the filters, and one a source already proposed. */
const ELIGIBLE = 1;
const PROPOSED = 2;

/**
 * Candidate generation: each source of the ranker proposes up to its quota of eligible rows not
 * proposed yet, in the order sources are listed. `mask` is the request's eligibility mask (1 =
 * passes the filters) and is marked in place. Returns the proposed rows, and which source
 * proposed each (for debugging and reasons).
 */
export function gatherCandidates(
  a: CatalogueArrays,
  mask: Uint8Array,
  signals: UserSignals,
  config: RankerConfig,
  now: number,
): { rows: number[]; source: SourceName[] } {
  const rows: number[] = [];
  const source: SourceName[] = [];
  let name: SourceName = 'popular';
  let left = 0;
  /** Proposes `row` if it is eligible and new; false once the current source's quota is spent. */
  const propose = (row: number): boolean => {
    if (left <= 0) return false;
    if (mask[row] !== ELIGIBLE) return true;
    mask[row] = PROPOSED;
    rows.push(row);
    source.push(name);
    left--;
    return left > 0;
  };
  const fromList = (list: ArrayLike<number>, until?: (row: number) => boolean) => {
    for (let k = 0; k < list.length; k++) {
      const row = list[k]!;
      if (until?.(row) || !propose(row)) return;
    }
  };

  for (const [s, quota] of Object.entries(config.sources) as [SourceName, number | undefined][]) {
    if (!quota) continue;
    name = s;
    left = quota;
    switch (s) {
      case 'embedding': {
        const model = signals.model;
        if (!model) break;
        // The best `quota` eligible rows by the model's similarity (exact scan or ANN index).
        fromList(model.nearest(quota, mask, ELIGIBLE));
        break;
      }
      case 'neighbours': {
        const { rows: reached, score } = signals.neighbours;
        fromList(byScore(reached, score));
        break;
      }
      case 'affinity': {
        // Each category the user follows gets its share of the quota, from its most popular markets.
        const shares = signals.categoryShare;
        for (let c = 0; c < shares.length; c++) {
          if (shares[c]! <= 0) continue;
          left = Math.round(quota * shares[c]!);
          fromList(a.categoryByPopularity[c]!);
        }
        break;
      }
      case 'trending':
        fromList(a.byTrend);
        break;
      case 'popular':
        fromList(a.byPopularity);
        break;
      case 'fresh':
        fromList(a.byNewest, (row) => !(now - a.openMs[row]! < config.freshWithinMs));
        break;
      case 'siblings':
        fromList([...signals.siblings]);
        break;
    }
  }
  return { rows, source };
}
