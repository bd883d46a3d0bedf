/**
 * Exploration slots: every `every`-th position of the feed goes to the best candidate the `isNew`
 * test accepts that re-ranking did not keep (new markets have no popularity yet, so a blend alone
 * would rarely show them and they would never earn any). Candidates that would break the
 * per-event or per-series cap are skipped. `picked` and `order` are candidate positions, `order`
 * best first; returns the positions in feed order, at most `limit`.
 */
export function withExplorationSlots(
  picked: number[],
  order: ArrayLike<number>,
  isNew: (position: number) => boolean,
  caps: {
    every: number;
    limit: number;
    event: ArrayLike<number>;
    series: ArrayLike<number>;
    maxPerEvent: number;
    maxPerSeries: number;
  },
): number[] {
  if (caps.every <= 0) return picked;
  const taken = new Set(picked);
  const perEvent = new Map<number, number>();
  const perSeries = new Map<number, number>();
  const count = (map: Map<number, number>, key: number) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const p of picked) {
    count(perEvent, caps.event[p]!);
    if (caps.series[p]! >= 0) count(perSeries, caps.series[p]!);
  }
  const explore: number[] = [];
  for (let r = 0; r < order.length && explore.length < Math.floor(caps.limit / caps.every); r++) {
    const p = order[r]!;
    if (taken.has(p) || !isNew(p)) continue;
    const event = caps.event[p]!;
    const series = caps.series[p]!;
    if ((perEvent.get(event) ?? 0) >= caps.maxPerEvent) continue;
    if (series >= 0 && (perSeries.get(series) ?? 0) >= caps.maxPerSeries) continue;
    count(perEvent, event);
    if (series >= 0) count(perSeries, series);
    explore.push(p);
  }
  const out: number[] = [];
  let next = 0;
  for (const p of picked) {
    if (explore.length > next && (out.length + 1) % caps.every === 0) out.push(explore[next++]!);
    out.push(p);
  }
  while (next < explore.length) out.push(explore[next++]!);
  return out.slice(0, caps.limit);
}
