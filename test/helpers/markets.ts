import type { Express } from 'express';
import request from 'supertest';
import { auth } from './api.js';
import { DAY_MS, TEST_END } from './fixed-clock.js';

/**
 * `count` one-market events M-0… for PUT /v1/markets, alternating Sports (even) and Crypto (odd),
 * open from `openTime` until four weeks after TEST_END.
 */
export function cryptoAndSportsMarkets(
  count: number,
  options: { volume24h: (i: number) => number; openTime: string },
) {
  return Array.from({ length: count }, (_, i) => ({
    ticker: `M-${i}`,
    eventTicker: `E-${i}`,
    title: `Market ${i}`,
    category: i % 2 ? 'Crypto' : 'Sports',
    status: 'open',
    openTime: options.openTime,
    closeTime: new Date(TEST_END.getTime() + 28 * DAY_MS).toISOString(),
    volume24h: options.volume24h(i),
  }));
}

/** The KXBTC series and its KXBTC-26NOV22 event, put through the API: what the ingest tests' markets belong to. */
export async function putBitcoinSeriesAndEvent(app: Express): Promise<void> {
  await request(app)
    .put('/v1/series')
    .set(auth)
    .send({ series: [{ ticker: 'KXBTC', title: 'Bitcoin daily', category: 'Crypto' }] })
    .expect(200);
  await request(app)
    .put('/v1/events')
    .set(auth)
    .send({ events: [{ eventTicker: 'KXBTC-26NOV22', seriesTicker: 'KXBTC', title: 'Bitcoin on Nov 22' }] })
    .expect(200);
}
