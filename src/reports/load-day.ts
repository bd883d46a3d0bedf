import { formatHundredths, formatMicros } from '../domain/money.js';
import { coll } from '../store/collections.js';
import type { Store } from '../store/types.js';
import type { MoneyTotals } from './money-totals.js';
import type { ReportDay } from './report-day.js';
import type { ReportEvent } from './report-types.js';

const FIELDS = {
  _id: 0,
  eventId: 1,
  userId: 1,
  ticker: 1,
  type: 1,
  ts: 1,
  receivedAt: 1,
  feedId: 1,
  position: 1,
  attribution: 1,
  feedIssue: 1,
  contractsHundredths: 1,
  notionalMicros: 1,
} as const;

/**
 * What a day's report reads, as received by `asOf`: the day's impressions, clicks and trades, the
 * feed exposures of the window before it (for trades early in the day), and the categories of
 * the markets traded or shown.
 */
export async function loadDay(
  store: Store,
  day: ReportDay,
  windowHours: number,
  asOf: Date,
): Promise<{ events: ReportEvent[]; categories: Map<string, string> }> {
  const interactions = coll(store, 'interactions');
  const received = { $lte: asOf };
  const [inDay, before] = await Promise.all([
    interactions
      .find(
        {
          ts: { $gte: day.start, $lt: day.end },
          type: { $in: ['impression', 'click', 'trade'] },
          receivedAt: received,
        },
        { projection: FIELDS },
      )
      .toArray(),
    interactions
      .find(
        {
          ts: { $gte: new Date(day.start.getTime() - windowHours * 3_600_000), $lt: day.start },
          type: { $in: ['impression', 'click'] },
          feedId: { $exists: true },
          receivedAt: received,
        },
        { projection: FIELDS },
      )
      .toArray(),
  ]);
  const events = [...inDay, ...before] as unknown as ReportEvent[];
  const tickers = [...new Set(events.map((e) => e.ticker))];
  const markets = await coll(store, 'markets')
    .find({ ticker: { $in: tickers } }, { projection: { _id: 0, ticker: 1, category: 1 } })
    .toArray();
  return { events, categories: new Map(markets.map((m) => [m.ticker, m.category ?? 'Uncategorized'])) };
}

/**
 * The day's trades as the store counts them, apart from the report: the tie-out's reference. Sums
 * are exact while they stay below 2^53 units; past that they are summed again one by one as BigInts.
 */
export async function storeTotals(store: Store, day: ReportDay, asOf: Date): Promise<MoneyTotals> {
  const match = { type: 'trade' as const, ts: { $gte: day.start, $lt: day.end }, receivedAt: { $lte: asOf } };
  const interactions = coll(store, 'interactions');
  const [sums] = await interactions
    .aggregate<{ trades: number; contracts: number; notional: number; traders: string[] }>([
      { $match: match },
      {
        $group: {
          _id: null,
          trades: { $sum: 1 },
          contracts: { $sum: { $ifNull: ['$contractsHundredths', 0] } },
          notional: { $sum: { $ifNull: ['$notionalMicros', 0] } },
          traders: { $addToSet: '$userId' },
        },
      },
    ])
    .toArray();
  if (!sums) return { trades: 0, traders: 0, contracts: '0.00', notional: '0.000000' };
  let contracts = BigInt(sums.contracts);
  let notional = BigInt(sums.notional);
  if (!Number.isSafeInteger(sums.contracts) || !Number.isSafeInteger(sums.notional)) {
    contracts = 0n;
    notional = 0n;
    const cursor = interactions.find(match, {
      projection: { _id: 0, contractsHundredths: 1, notionalMicros: 1 },
    });
    for await (const t of cursor) {
      contracts += BigInt(t.contractsHundredths ?? 0);
      notional += BigInt(t.notionalMicros ?? 0);
    }
  }
  return {
    trades: sums.trades,
    traders: sums.traders.length,
    contracts: formatHundredths(contracts),
    notional: formatMicros(notional),
  };
}
