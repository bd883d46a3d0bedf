import type { InteractionRecord, MarketRecord } from '../../src/simulator/index.js';
import { Rng } from '../../src/util/rng.js';

/**
 * A small temporal-split evaluation for the signal test: learn from the first 80% of the window,
 * rank every market open in the last 20% for each user, and score against what they then clicked,
 * watched or traded.
 */

const POSITIVE = new Set(['click', 'watch', 'trade']);
/** What a preference model may learn from: positives plus organic views. */
const ENGAGEMENT = new Set(['click', 'watch', 'trade', 'view']);

export interface Split {
  train: InteractionRecord[];
  /** Distinct positive markets per user after the cutoff, for users with training engagement. */
  test: Map<string, Set<string>>;
  /** Markets open at some point after the cutoff. */
  candidates: MarketRecord[];
  markets: Map<string, MarketRecord>;
}

export function temporalSplit(
  interactions: InteractionRecord[],
  markets: MarketRecord[],
  end: Date,
  windowMs: number,
  testFraction = 0.2,
): Split {
  const cutoff = end.getTime() - testFraction * windowMs;
  const train = interactions.filter((r) => Date.parse(r.ts) < cutoff);
  const engaged = new Set(train.filter((r) => ENGAGEMENT.has(r.type)).map((r) => r.userId));
  const test = new Map<string, Set<string>>();
  for (const r of interactions) {
    if (Date.parse(r.ts) < cutoff || !POSITIVE.has(r.type) || !engaged.has(r.userId)) continue;
    test.set(r.userId, (test.get(r.userId) ?? new Set()).add(r.ticker));
  }
  const candidates = markets.filter(
    (m) =>
      m.openTime !== undefined && Date.parse(m.openTime) < end.getTime() && Date.parse(m.closeTime) > cutoff,
  );
  return { train, test, candidates, markets: new Map(markets.map((m) => [m.ticker, m])) };
}

/** Candidates' tickers, best first, for one user. */
export type Ranker = (userId: string) => string[];

/** Global popularity: training positives per market (markets listed since then have none). */
export function popularityRanker(split: Split): Ranker {
  const counts = new Map<string, number>();
  for (const r of split.train)
    if (POSITIVE.has(r.type)) counts.set(r.ticker, (counts.get(r.ticker) ?? 0) + 1);
  const list = [...split.candidates]
    .sort((a, b) => (counts.get(b.ticker) ?? 0) - (counts.get(a.ticker) ?? 0))
    .map((m) => m.ticker);
  return () => list;
}

/**
 * The user's share of training engagement with a market's series, plus half their share with its
 * category; popularity breaks ties. Content-based, so it ranks brand-new markets too.
 */
export function affinityRanker(split: Split): Ranker {
  const popRank = new Map(popularityRanker(split)('').map((t, i) => [t, i]));
  const profiles = new Map<string, Map<string, number>>();
  for (const r of split.train) {
    const m = split.markets.get(r.ticker);
    if (!ENGAGEMENT.has(r.type) || !m) continue;
    const p = profiles.get(r.userId) ?? new Map<string, number>();
    for (const key of [`s:${m.seriesTicker}`, `c:${m.category}`]) p.set(key, (p.get(key) ?? 0) + 1);
    profiles.set(r.userId, p);
  }
  return (userId) => {
    const p = profiles.get(userId) ?? new Map<string, number>();
    return split.candidates
      .map((m) => ({
        ticker: m.ticker,
        score: (p.get(`s:${m.seriesTicker}`) ?? 0) + 0.5 * (p.get(`c:${m.category}`) ?? 0),
        rank: popRank.get(m.ticker)!,
      }))
      .sort((a, b) => b.score - a.score || a.rank - b.rank)
      .map((x) => x.ticker);
  };
}

export function randomRanker(split: Split, seed: number): Ranker {
  return (userId) => {
    const rng = Rng.of(seed, 'random-ranker', userId);
    const list = split.candidates.map((m) => m.ticker);
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
}

export interface Metrics {
  recall: number;
  ndcg: number;
  users: number;
}

/** Mean Recall@k and NDCG@k (binary relevance) over the split's test users. */
export function evaluate(split: Split, ranker: Ranker, k = 10): Metrics {
  let recall = 0;
  let ndcg = 0;
  for (const [userId, relevant] of split.test) {
    const top = ranker(userId).slice(0, k);
    let dcg = 0;
    let hits = 0;
    top.forEach((t, i) => {
      if (relevant.has(t)) {
        hits++;
        dcg += 1 / Math.log2(i + 2);
      }
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
    recall += hits / relevant.size;
    ndcg += dcg / ideal;
  }
  const n = split.test.size;
  return { recall: recall / n, ndcg: ndcg / n, users: n };
}
