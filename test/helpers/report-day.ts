import { DAY_MS, HOUR_MS } from './fixed-clock.js';

/**
 * One reported day shared by the report tests: 2026-11-21 in New York (the reports' default time
 * zone) runs from 05:00 UTC that day to 05:00 UTC on the 22nd.
 */
export const REPORT_DATE = '2026-11-21';
export const REPORT_DAY_END = new Date('2026-11-22T05:00:00Z');
export const hoursBeforeDayEnd = (hours: number) =>
  new Date(REPORT_DAY_END.getTime() - hours * HOUR_MS).toISOString();

/** Three open markets for PUT /v1/markets: KXA-1 and KXB-1 (Economics), KXC-1 (Crypto). */
export const reportDayMarkets = ['A', 'B', 'C'].map((name, i) => ({
  ticker: `KX${name}-1`,
  eventTicker: `KX${name}`,
  title: `Market ${name}`,
  category: i === 2 ? 'Crypto' : 'Economics',
  status: 'open',
  closeTime: new Date(REPORT_DAY_END.getTime() + 10 * DAY_MS).toISOString(),
  volume24h: 100 * (i + 1),
}));

/**
 * The day's events for POST /v1/interactions, given u1's feed (and the market `shown` first on it)
 * and u2's trending list: u1 sees, clicks and trades 5 × $0.61 = $3.05 (attributed to the feed);
 * u2 trades 3 × $0.25 = $0.75 after an impression (attributed to trending); u4 trades $0.50
 * organically, and names u1's feed and a feed nobody served (two exceptions, neither attributed).
 */
export function reportDayInteractions(served: { shown: string; feedId: string; trendingFeedId: string }) {
  const { shown, feedId, trendingFeedId } = served;
  const at = hoursBeforeDayEnd;
  return [
    { eventId: 'i1', userId: 'u1', ticker: shown, type: 'impression', ts: at(3), feedId, position: 0 },
    { eventId: 'c1', userId: 'u1', ticker: shown, type: 'click', ts: at(2.9), feedId, position: 0 },
    {
      eventId: 't1',
      userId: 'u1',
      ticker: shown,
      type: 'trade',
      ts: at(2.8),
      side: 'yes',
      contracts: '5.00',
      price: '0.6100',
    },
    {
      eventId: 'i2',
      userId: 'u2',
      ticker: 'KXC-1',
      type: 'impression',
      ts: at(3),
      feedId: trendingFeedId,
      position: 1,
    },
    // Money as exact numbers too, beside the decimal strings.
    {
      eventId: 't2',
      userId: 'u2',
      ticker: 'KXC-1',
      type: 'trade',
      ts: at(2),
      side: 'no',
      contracts: 3,
      price: 0.25,
    },
    {
      eventId: 't3',
      userId: 'u4',
      ticker: 'KXB-1',
      type: 'trade',
      ts: at(2),
      side: 'no',
      contracts: '1',
      price: '0.5',
    },
    { eventId: 'x1', userId: 'u4', ticker: shown, type: 'impression', ts: at(3), feedId, position: 0 },
    { eventId: 'x2', userId: 'u4', ticker: 'KXB-1', type: 'impression', ts: at(3), feedId: 'not-a-feed' },
  ];
}
