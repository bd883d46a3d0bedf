/**
 * Exploration slots: every `every`-th position of the feed goes to the best candidate the `isNew`
 * test accepts that re-ranking did not keep (a new market nobody has engaged with has no
 * popularity yet, so a blend alone would rarely show it and it would never earn any). Candidates
 * that would break the per-event or per-series cap are skipped. `picked` and `order` are candidate
 * positions, `order` best first; returns the positions in feed order, at most `limit`.
 */
export function withExplorationSlots(
  picked: number[],
  order: ArrayLike<number>,
  isNew: (position: number) => boolean,
  caps: {
    every: number;
    limit: number;
    /** Per position, its event's and series' (−1: none) small-integer keys, below these counts. */
    event: ArrayLike<number>;
    series: ArrayLike<number>;
    events: number;
    seriesCount: number;
    maxPerEvent: number;
    maxPerSeries: number;
  },
): number[] {
  if (caps.every <= 0) return picked;
  // Typed counters, not maps: this runs for every first page over every candidate.
  const taken = new Uint8Array(caps.event.length);
  const perEvent = new Int32Array(caps.events);
  const perSeries = new Int32Array(caps.seriesCount);
  for (const p of picked) {
    taken[p] = 1;
    perEvent[caps.event[p]!]!++;
    if (caps.series[p]! >= 0) perSeries[caps.series[p]!]!++;
  }
  const explore: number[] = [];
  const slots = Math.floor(caps.limit / caps.every);
  for (let r = 0; r < order.length && explore.length < slots; r++) {
    const p = order[r]!;
    if (taken[p] === 1 || !isNew(p)) continue;
    const event = caps.event[p]!;
    const series = caps.series[p]!;
    if (perEvent[event]! >= caps.maxPerEvent) continue;
    if (series >= 0 && perSeries[series]! >= caps.maxPerSeries) continue;
    perEvent[event]!++;
    if (series >= 0) perSeries[series]!++;
    explore.push(p);
  }
  if (explore.length === 0) return picked.slice(0, caps.limit);
  const out: number[] = [];
  let next = 0;
  for (const p of picked) {
    if (explore.length > next && (out.length + 1) % caps.every === 0) out.push(explore[next++]!);
    out.push(p);
  }
  while (next < explore.length) out.push(explore[next++]!);
  return out.slice(0, caps.limit);
}
