import type { InteractionLog } from '../../../models/core/types.js';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../features/feature-config.js';
import type { Neighbour } from '../catalogue/market-catalogue.js';

/**
 * The co-interaction neighbours `market_neighbours` would hold at `asOfMs`, computed in memory from
 * deduplicated training rows with the same rule (src/features/market-neighbours.ts): each user's
 * `perUser` strongest markets within the lookback (strength = weight decayed towards `asOfMs`),
 * `sim(a, b) = |U_a ∩ U_b| / sqrt(|U_a| |U_b|)` over those users, pairs with fewer than
 * `minCoUsers` dropped, the top `topN` per market (ties by ticker).
 */
export function offlineNeighbours(
  log: InteractionLog,
  asOfMs: number,
  config: FeatureConfig = DEFAULT_FEATURE_CONFIG,
): Map<string, Neighbour[]> {
  const { perUser, lookbackMs, topN, minCoUsers } = config.neighbours;
  const byUser = new Map<number, { item: number; strength: number }[]>();
  for (let r = 0; r < log.user.length; r++) {
    const age = asOfMs - log.ts[r]!;
    if (age > lookbackMs || !(log.weight[r]! > 0)) continue;
    const strength = log.weight[r]! * 0.5 ** (Math.max(0, age) / config.halfLifeMs);
    let list = byUser.get(log.user[r]!);
    if (!list) byUser.set(log.user[r]!, (list = []));
    list.push({ item: log.item[r]!, strength });
  }
  const ticker = (i: number) => log.itemIds[i]!;
  const kept: number[][] = [];
  const users = new Map<number, number>();
  for (const list of byUser.values()) {
    list.sort((x, y) => y.strength - x.strength || (ticker(x.item) < ticker(y.item) ? -1 : 1));
    const items = list.slice(0, perUser).map((x) => x.item);
    kept.push(items);
    for (const i of items) users.set(i, (users.get(i) ?? 0) + 1);
  }
  const co = new Map<number, Map<number, number>>();
  for (const items of kept)
    for (const a of items) {
      let row = co.get(a);
      if (!row) co.set(a, (row = new Map()));
      for (const b of items) if (b !== a) row.set(b, (row.get(b) ?? 0) + 1);
    }
  const out = new Map<string, Neighbour[]>();
  for (const [a, row] of co) {
    const list: Neighbour[] = [];
    for (const [b, count] of row)
      if (count >= minCoUsers)
        list.push({ ticker: ticker(b), score: count / Math.sqrt(users.get(a)! * users.get(b)!) });
    if (!list.length) continue;
    list.sort((x, y) => y.score - x.score || (x.ticker < y.ticker ? -1 : 1));
    out.set(ticker(a), list.slice(0, topN));
  }
  return out;
}
