import { Rng } from '../../src/util/rng.js';
import { reportDay, type ReportDay } from '../../src/reports/report-day.js';
import type { ReportEvent } from '../../src/reports/report-types.js';
import { DAY_MS, HOUR_MS } from '../helpers/fixed-clock.js';

/** The day the report tests cut: 2026-11-20 in New York (UTC-5 then), away from any DST change. */
export const DAY: ReportDay = reportDay('2026-11-20', 'America/New_York', '00:00');

export const SETTINGS = { windowHours: 24, clickThroughOnly: false };

/** Known markets: M0 … M8; M9 is traded but not in the catalogue. */
export const CATEGORIES = new Map(
  Array.from({ length: 9 }, (_, i) => [`M${i}`, i % 2 ? 'Crypto' : 'Economics']),
);

interface Feed {
  feedId: string;
  userId: string;
  /** Unknown feeds were never resolved at ingestion. */
  known: boolean;
  ranker: string;
  variation: string;
}

/**
 * A random stream of a day's impressions, clicks and trades, with exposures from the day before,
 * feeds served to other users, unknown feeds and events that arrive after the cutoff. `feedOf`
 * answers what ingestion would have stamped.
 */
export function randomStream(seed: number, size = 300): ReportEvent[] {
  const rng = Rng.of(seed, 'report-stream');
  const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
  const tickers = Array.from({ length: 10 }, (_, i) => `M${i}`);
  const feeds: Feed[] = Array.from({ length: 12 }, (_, i) => ({
    feedId: `f${i}`,
    userId: users[i % users.length]!,
    known: rng.chance(0.85),
    ranker: rng.chance(0.5) ? 'two-tower' : 'popular',
    variation: rng.chance(0.5) ? 'control' : 'treatment',
  }));
  const events: ReportEvent[] = [];
  // From a day before the day (exposures within the window) to an hour after it (outside it).
  const start = DAY.start.getTime() - DAY_MS;
  const span = DAY.end.getTime() + HOUR_MS - start;
  for (let n = 0; n < size; n++) {
    const userId = users[rng.int(users.length)]!;
    const ticker = tickers[rng.int(tickers.length)]!;
    // Whole seconds, and often the same second: ties are broken by the rules, not by luck.
    const ts = new Date(start + Math.floor((rng.next() * span) / 600_000) * 600_000);
    const late = rng.chance(0.1);
    const receivedAt = new Date(late ? DAY.end.getTime() + HOUR_MS : ts.getTime() + 1000);
    const kind = rng.next();
    const type = kind < 0.5 ? 'impression' : kind < 0.75 ? 'click' : 'trade';
    const base: ReportEvent = { eventId: `e${seed}-${n}`, userId, ticker, type, ts, receivedAt };
    // Mostly the user's own feeds; sometimes another's.
    const own = feeds.filter((f) => f.userId === userId);
    const feed = rng.chance(0.9) ? own[rng.int(own.length)]! : feeds[rng.int(feeds.length)]!;
    if (type === 'trade') {
      const contractsHundredths = 1 + rng.int(100_000);
      const priceUnits = 1 + rng.int(9_999);
      const event: ReportEvent = {
        ...base,
        contractsHundredths,
        notionalMicros: (contractsHundredths * priceUnits * 100) / 100,
      };
      if (rng.chance(0.3)) Object.assign(event, stamp(feed, userId));
      events.push(event);
    } else {
      events.push({ ...base, ...stamp(feed, userId), position: rng.int(20) });
    }
  }
  return events;
}

/** What ingestion stores of a feed named by `userId`'s event. */
function stamp(feed: Feed, userId: string): Partial<ReportEvent> {
  if (!feed.known) return { feedId: feed.feedId };
  if (feed.userId !== userId) return { feedId: feed.feedId, feedIssue: 'served_to_another_user' };
  return {
    feedId: feed.feedId,
    attribution: {
      surface: 'feed',
      ranker: feed.ranker,
      rankerVersion: 1,
      model: feed.ranker === 'two-tower' ? 'v1' : null,
      experiment: { key: 'ranker-test', variation: feed.variation },
    },
  };
}

/** `events` in a random order. */
export function shuffled<T>(events: readonly T[], seed: number): T[] {
  const rng = Rng.of(seed, 'shuffle');
  const out = [...events];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
