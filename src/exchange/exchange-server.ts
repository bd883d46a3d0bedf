import { createServer, type Server } from 'node:http';
import express from 'express';
import { DAY_MS, floorDay } from '../simulator/calendar.js';
import { buildCatalogue } from '../simulator/catalogue.js';
import type { Logger } from '../log/logger.js';
import { listenHttp } from '../util/listen-http.js';
import type { ExchangeClock } from './clock.js';
import { LiveExchange, UnknownMarketError } from './live-exchange.js';
import { kalshiRestApi } from './rest-api.js';
import { KalshiStreamServer } from './stream-server.js';

export const REST_PATH = '/trade-api/v2';
export const STREAM_PATH = '/trade-api/ws/v2';

export interface ExchangeOptions {
  seed: number;
  clock: ExchangeClock;
  /** Days of history before the clock's start: the simulator's window (the demo's exchange). @defaultValue 14 */
  historyDays?: number;
  /** Days ahead whose markets are scheduled and priced. @defaultValue 14 */
  aheadDays?: number;
  /** Milliseconds between steps of the exchange; 0 steps only when asked (tests). @defaultValue 1000 */
  stepMs?: number;
  heartbeatMs?: number;
  port?: number;
  host?: string;
  logger?: Logger;
}

export interface RunningExchange {
  exchange: LiveExchange;
  stream: KalshiStreamServer;
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:9090 (REST under /trade-api/v2, the stream at ws://…/trade-api/ws/v2). */
  url: string;
  /** Moves the exchange to its clock's time and publishes what changed. */
  step(): void;
  close(): Promise<void>;
}

/**
 * `sibyl exchange`: the seeded simulator's catalogue run forward from the clock's start, served as a
 * Kalshi-compatible exchange. The window is the same as `sibyl simulate --seed S --days D` ending
 * today's midnight (UTC) sees, extended ahead, so the markets Sibyl loaded from the simulator are
 * the exchange's.
 *
 * `/sim/v1` is the simulator's own control surface (not Kalshi's), for demos and tests: close a
 * market early, pause and resume it, drop the stream's connections, withhold lifecycle messages.
 */
export async function startExchange(options: ExchangeOptions): Promise<RunningExchange> {
  const start = options.clock.now();
  const windowEnd = floorDay(start);
  const catalogue = buildCatalogue(
    options.seed,
    windowEnd - (options.historyDays ?? 14) * DAY_MS,
    windowEnd + (options.aheadDays ?? 14) * DAY_MS,
  );
  const exchange = new LiveExchange(catalogue, options.seed, options.clock);
  const stream = new KalshiStreamServer(
    exchange,
    options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {},
  );
  const step = () => stream.publish(exchange.step());

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, now: new Date(exchange.now()).toISOString(), clients: stream.clients });
  });
  app.use(REST_PATH, kalshiRestApi(exchange));
  app.use('/sim/v1', controlRoutes(exchange, stream, step));
  app.use((_req, res) => {
    res.status(404).json({ code: 'not_found', message: 'No route', details: '' });
  });

  const server = createServer(app);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === STREAM_PATH) stream.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const url = await listenHttp(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const stepMs = options.stepMs ?? 1000;
  const timer = stepMs > 0 ? setInterval(step, stepMs) : undefined;
  options.logger?.info(
    { markets: catalogue.markets.length, listed: exchange.listed().length, seed: options.seed },
    'exchange catalogue ready',
  );
  return {
    exchange,
    stream,
    server,
    url,
    step,
    close: async () => {
      if (timer) clearInterval(timer);
      stream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The simulator's control surface: each action is published at once. */
function controlRoutes(exchange: LiveExchange, stream: KalshiStreamServer, step: () => void): express.Router {
  const router = express.Router();
  const act = (action: (ticker: string) => unknown) => (req: express.Request, res: express.Response) => {
    try {
      action(String(req.params.ticker));
    } catch (err) {
      if (err instanceof UnknownMarketError)
        return res.status(404).json({ code: 'not_found', message: err.message, details: '' });
      throw err;
    }
    step();
    const live = exchange.markets.get(String(req.params.ticker))!;
    res.json({
      ticker: live.market.ticker,
      status: live.status,
      close_time: new Date(live.closeMs).toISOString(),
    });
  };
  router.post(
    '/markets/:ticker/close',
    act((t) => exchange.closeEarly(t)),
  );
  router.post(
    '/markets/:ticker/pause',
    act((t) => exchange.pause(t)),
  );
  router.post(
    '/markets/:ticker/resume',
    act((t) => exchange.resume(t)),
  );
  router.post('/streams/drop', (_req, res) => {
    res.json({ dropped: stream.dropAll() });
  });
  router.post('/streams/withhold', (req, res) => {
    const count = Number((req.body as { count?: unknown }).count ?? 1);
    if (!Number.isInteger(count) || count < 1)
      return res
        .status(400)
        .json({ code: 'bad_request', message: 'count must be a positive integer', details: 'count' });
    stream.withholdLifecycle(count);
    res.json({ withheld: count });
  });
  return router;
}
