import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, makeTestApi, type TestApi } from '../helpers/api.js';
import { DAY_MS, TEST_END } from '../helpers/fixed-clock.js';

const OPEN = new Date(TEST_END.getTime() - DAY_MS).toISOString();
const CLOSE = new Date(TEST_END.getTime() + 3 * DAY_MS).toISOString();
/** The Fed market's card fields that the feed item and GET /v1/markets/{ticker} share. */
const FED_CARD = {
  ticker: 'KXFED-26DEC-T4.25',
  eventTicker: 'KXFED-26DEC',
  seriesTicker: 'KXFED',
  title: 'Question of KXFED-26DEC-T4.25',
  subtitle: 'Outcome of KXFED-26DEC-T4.25',
  eventTitle: 'Fed decision in Dec 2026?',
  seriesTitle: 'Fed funds rate',
  category: 'Economics',
  status: 'open',
  yesBid: '0.4200',
  yesAsk: '0.4400',
  lastPrice: '0.4300',
};

describe('what a market card needs (#23 item 1)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeTestApi();
    const put = (path: string, body: object) => request(t.app).put(path).set(auth).send(body).expect(200);
    await put('/v1/series', {
      series: [
        { ticker: 'KXFED', title: 'Fed funds rate', category: 'Economics' },
        { ticker: 'KXHIGHNY', title: 'Highest temperature in NYC', category: 'Climate and Weather' },
      ],
    });
    await put('/v1/events', {
      events: [
        { eventTicker: 'KXFED-26DEC', seriesTicker: 'KXFED', title: 'Fed decision in Dec 2026?' },
        { eventTicker: 'KXHIGHNY-26NOV23', seriesTicker: 'KXHIGHNY', title: 'NYC high on Nov 23?' },
      ],
    });
    const market = (ticker: string, eventTicker: string, extra: object = {}) => ({
      ticker,
      eventTicker,
      title: `Question of ${ticker}`,
      subtitle: `Outcome of ${ticker}`,
      status: 'open',
      openTime: OPEN,
      closeTime: CLOSE,
      volume24h: 100,
      ...extra,
    });
    await put('/v1/markets', {
      markets: [
        market('KXFED-26DEC-T4.25', 'KXFED-26DEC', {
          yesBid: 0.42,
          yesAsk: 0.44,
          lastPrice: 0.43,
          volume: 5000,
        }),
        market('KXFED-26DEC-T4.50', 'KXFED-26DEC'),
        market('KXHIGHNY-26NOV23-B50', 'KXHIGHNY-26NOV23'),
        market('KXHIGHNY-26NOV23-B52', 'KXHIGHNY-26NOV23', { status: 'settled' }),
      ],
    });
  });

  it('gives feed items status, event and series titles, subtitle and category', async () => {
    const res = await request(t.app).get('/v1/users/newcomer/feed').expect(200);
    const item = res.body.items.find((i: { ticker: string }) => i.ticker === 'KXFED-26DEC-T4.25');
    expect(item).toMatchObject({ ...FED_CARD, closeTime: CLOSE, volume24h: 100 });
  });

  it('serves one market, closed ones too, and 404 for an unknown one', async () => {
    const res = await request(t.app).get('/v1/markets/KXFED-26DEC-T4.25').expect(200);
    expect(res.body).toEqual({
      ...FED_CARD,
      openTime: OPEN,
      closeTime: CLOSE,
      expirationTime: null,
      volume: 5000,
      volume24h: 100,
      openInterest: null,
    });
    const settled = await request(t.app).get('/v1/markets/KXHIGHNY-26NOV23-B52').expect(200);
    expect(settled.body).toMatchObject({
      status: 'settled',
      yesBid: null,
      seriesTitle: 'Highest temperature in NYC',
    });
    const missing = await request(t.app).get('/v1/markets/KXNOPE-1');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('KXNOPE-1'),
    });
  });

  it('lists the categories with their open markets', async () => {
    const res = await request(t.app).get('/v1/categories').expect(200);
    expect(res.body).toEqual({
      categories: [
        { name: 'Economics', openMarkets: 2 },
        { name: 'Climate and Weather', openMarkets: 1 },
      ],
    });
  });

  it('answers an unknown category with 400 naming the allowed ones, on feeds and trending', async () => {
    for (const path of ['/v1/users/u/feed?category=Sprots', '/v1/trending?category=economics,Sprots']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        {
          path: 'query.category',
          message: 'unknown category "Sprots"; one of "Climate and Weather", "Economics"',
        },
      ]);
    }
    const anyCase = await request(t.app).get('/v1/trending?category=economics').expect(200);
    expect(anyCase.body.items).toHaveLength(2);
  });

  it('says in the contract that the order is the ranking and the score comes before re-ranking (#23 item 2)', async () => {
    const openapi = (await request(t.app).get('/openapi.json').expect(200)).body;
    const item = openapi.components.schemas.FeedItem.properties;
    expect(item.score.description).toMatch(/before re-ranking/);
    expect(item.score.description).toMatch(/order of items is the ranking/);
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(['status', 'eventTitle', 'seriesTitle', 'subtitle']),
    );
    expect(openapi.paths['/v1/markets/{ticker}'].get).toBeDefined();
    expect(openapi.paths['/v1/categories'].get).toBeDefined();
  });
});
