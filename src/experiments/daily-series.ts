import type { Store } from '../store/types.js';
import { exposedActivity, roundCents, TRADE_NOTIONAL } from './results.js';

/** One variation's day (UTC): users first exposed that day, and what exposed users did that day. */
export interface DailyVariation {
  variationId: string;
  newUsers: number;
  impressions: number;
  clicks: number;
  trades: number;
  /** Dollars traded (contracts × price). */
  notional: number;
}

export interface DailyPoint {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  variations: DailyVariation[];
}

// Without a timezone, MongoDB formats in UTC.
const DAY = (field: string) => ({ $dateToString: { format: '%Y-%m-%d', date: field } });

/**
 * The experiment day by day, from its first exposure: every day in between is present (zeros when
 * nothing happened) and every variation in each day, so charts need no gap filling.
 */
export async function dailySeries(
  store: Store,
  experimentId: string,
  variationIds: string[],
): Promise<DailyPoint[]> {
  const exposures = await store
    .collection('exposures')
    .aggregate<{ _id: { day: string; v: string }; users: number; since: Date }>([
      { $match: { experimentId } },
      {
        $group: {
          _id: { day: DAY('$timestamp'), v: '$variationId' },
          users: { $sum: 1 },
          since: { $min: '$timestamp' },
        },
      },
    ])
    .toArray();
  if (exposures.length === 0) return [];
  const since = exposures.reduce((min, e) => (e.since < min ? e.since : min), exposures[0]!.since);
  const count = (type: string) => ({ $sum: { $cond: [{ $eq: ['$type', type] }, 1, 0] } });
  const activity = await store
    .collection('interactions')
    .aggregate<{
      _id: { day: string; v: string };
      imp: number;
      clk: number;
      trd: number;
      ntl: number;
    }>([
      ...exposedActivity(experimentId, since),
      {
        $group: {
          _id: { day: DAY('$ts'), v: '$x.variationId' },
          imp: count('impression'),
          clk: count('click'),
          trd: count('trade'),
          ntl: { $sum: TRADE_NOTIONAL },
        },
      },
    ])
    .toArray();

  const key = (day: string, v: string) => `${day} ${v}`;
  const users = new Map(exposures.map((e) => [key(e._id.day, e._id.v), e.users]));
  const sums = new Map(activity.map((a) => [key(a._id.day, a._id.v), a]));
  const days = [...exposures, ...activity].map((e) => e._id.day).sort();
  const ids = [...new Set([...variationIds, ...exposures.map((e) => e._id.v)])];
  const points: DailyPoint[] = [];
  for (let day = days[0]!; day <= days[days.length - 1]!; day = nextDay(day)) {
    points.push({
      date: day,
      variations: ids.map((variationId) => {
        const a = sums.get(key(day, variationId));
        return {
          variationId,
          newUsers: users.get(key(day, variationId)) ?? 0,
          impressions: a?.imp ?? 0,
          clicks: a?.clk ?? 0,
          trades: a?.trd ?? 0,
          notional: roundCents(a?.ntl ?? 0),
        };
      }),
    });
  }
  return points;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
