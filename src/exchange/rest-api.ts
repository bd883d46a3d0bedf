import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SimEvent } from '../simulator/catalogue.js';
import { kalshiEvent, kalshiMarket, kalshiSeries } from './kalshi-shapes.js';
import type { KalshiStatus, LiveExchange, MarketLive } from './live-exchange.js';

/**
 * Kalshi's public market-data REST API (`/trade-api/v2`): series, events (optionally with their
 * markets) and markets, with Kalshi's filters, cursor pagination and error body
 * (`{ code, message, details }`). Lists are in listing order, which only grows at the end, so a
 * cursor stays valid while markets are listed.
 */

/** The `status` filter's values and the object states each matches (Kalshi's market lifecycle page). */
const STATUS_FILTER: Record<string, KalshiStatus[]> = {
  unopened: ['initialized'],
  open: ['active'],
  paused: ['inactive'],
  closed: ['closed', 'determined'],
  settled: ['finalized'],
};

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .optional();
const unixSeconds = z.coerce.number().int().nonnegative().optional();
const cursor = z
  .string()
  .optional()
  .transform((c, ctx) => {
    if (!c) return 0;
    const offset = Number(Buffer.from(c, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) {
      ctx.addIssue({ code: 'custom', message: 'invalid cursor' });
      return z.NEVER;
    }
    return offset;
  });

const marketsQuery = z.object({
  limit: z.coerce.number().int().min(0).max(1000).default(100),
  cursor,
  event_ticker: csv,
  series_ticker: z.string().optional(),
  status: z.enum(['unopened', 'open', 'paused', 'closed', 'settled']).optional(),
  tickers: csv,
  min_close_ts: unixSeconds,
  max_close_ts: unixSeconds,
});

const eventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(200),
  cursor,
  with_nested_markets: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  status: z.enum(['unopened', 'open', 'closed', 'settled']).optional(),
  series_ticker: z.string().optional(),
  tickers: csv,
  min_close_ts: unixSeconds,
});

const seriesQuery = z.object({ category: z.string().optional(), tags: z.string().optional() });

/** Kalshi's error body. */
function fail(res: Response, status: number, code: string, message: string, details = ''): void {
  res.status(status).json({ code, message, details });
}

function parse<T extends z.ZodType>(schema: T, req: Request, res: Response): z.output<T> | undefined {
  const parsed = schema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  fail(res, 400, 'bad_request', `${issue.path.join('.') || 'query'}: ${issue.message}`, issue.path.join('.'));
  return undefined;
}

/** One page of `items` from `offset`, and the cursor of the next ('' when there is none). */
function page<T>(items: T[], offset: number, limit: number): { items: T[]; cursor: string } {
  const end = Math.min(items.length, offset + limit);
  return {
    items: items.slice(offset, end),
    cursor: end < items.length ? Buffer.from(String(end)).toString('base64url') : '',
  };
}

export function kalshiRestApi(exchange: LiveExchange): Router {
  const router = Router();
  const closeSeconds = (live: MarketLive) => Math.floor(live.closeMs / 1000);

  router.get('/markets', (req, res) => {
    const q = parse(marketsQuery, req, res);
    if (!q) return;
    const statuses = q.status ? STATUS_FILTER[q.status] : undefined;
    const events = q.event_ticker ? new Set(q.event_ticker) : undefined;
    const tickers = q.tickers ? new Set(q.tickers) : undefined;
    const series = q.series_ticker;
    const matching = exchange
      .listed()
      .filter(
        (live) =>
          (!statuses || statuses.includes(live.status)) &&
          (!events || events.has(live.event.ticker)) &&
          (!tickers || tickers.has(live.market.ticker)) &&
          (!series || exchange.source.series[live.market.series]!.template.ticker === series) &&
          (q.min_close_ts === undefined || closeSeconds(live) > q.min_close_ts) &&
          (q.max_close_ts === undefined || closeSeconds(live) < q.max_close_ts),
      );
    const { items, cursor: next } = page(matching, q.cursor, q.limit);
    res.json({ markets: items.map((live) => kalshiMarket(exchange, live)), cursor: next });
  });

  router.get('/markets/:ticker', (req, res) => {
    const live = exchange.markets.get(req.params.ticker);
    if (!live?.listed) return fail(res, 404, 'not_found', `market ${req.params.ticker} not found`);
    res.json({ market: kalshiMarket(exchange, live) });
  });

  router.get('/events', (req, res) => {
    const q = parse(eventsQuery, req, res);
    if (!q) return;
    const statuses = q.status ? STATUS_FILTER[q.status] : undefined;
    const tickers = q.tickers ? new Set(q.tickers) : undefined;
    const matching = listedEvents(exchange).filter(({ event, markets }) => {
      const series = exchange.source.series[event.series]!.template.ticker;
      return (
        (!q.series_ticker || series === q.series_ticker) &&
        (!tickers || tickers.has(event.ticker)) &&
        // An event matches a status when any of its markets does (Kalshi's events FAQ).
        (!statuses || markets.some((m) => statuses.includes(m.status))) &&
        (q.min_close_ts === undefined || markets.some((m) => closeSeconds(m) > q.min_close_ts!))
      );
    });
    const { items, cursor: next } = page(matching, q.cursor, q.limit);
    res.json({
      events: items.map(({ event, markets }) =>
        kalshiEvent(exchange, event, q.with_nested_markets ? markets : undefined),
      ),
      cursor: next,
    });
  });

  router.get('/events/:eventTicker', (req, res) => {
    const found = listedEvents(exchange).find((e) => e.event.ticker === req.params.eventTicker);
    if (!found) return fail(res, 404, 'not_found', `event ${req.params.eventTicker} not found`);
    const nested = req.query.with_nested_markets === 'true';
    res.json({
      event: kalshiEvent(exchange, found.event, nested ? found.markets : undefined),
      markets: found.markets.map((live) => kalshiMarket(exchange, live)),
    });
  });

  router.get('/series', (req, res) => {
    const q = parse(seriesQuery, req, res);
    if (!q) return;
    const tags = q.tags?.split(',').filter(Boolean);
    res.json({
      series: exchange.source.series
        .filter(
          (s) =>
            (!q.category || s.template.category === q.category) &&
            (!tags || tags.some((t) => s.template.tags.includes(t))),
        )
        .map(kalshiSeries),
    });
  });

  router.get('/series/:ticker', (req, res) => {
    const series = exchange.source.series.find((s) => s.template.ticker === req.params.ticker);
    if (!series) return fail(res, 404, 'not_found', `series ${req.params.ticker} not found`);
    res.json({ series: kalshiSeries(series) });
  });

  return router;
}

/** Events with at least one listed market, in the order their first market was listed. */
function listedEvents(exchange: LiveExchange): { event: SimEvent; markets: MarketLive[] }[] {
  const byEvent = new Map<number, { event: SimEvent; markets: MarketLive[] }>();
  for (const live of exchange.listed()) {
    const entry = byEvent.get(live.market.event) ?? { event: live.event, markets: [] };
    entry.markets.push(live);
    byEvent.set(live.market.event, entry);
  }
  return [...byEvent.values()];
}
