import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { SibylError } from '../errors.js';
import type { MarketCatalogue } from '../feed/catalogue/market-catalogue.js';
import type { FeedService } from '../feed/feed-service.js';
import { redactRequest, type Logger } from '../log/logger.js';
import type { IngestEvents } from '../ingest/events/ingest-events.js';
import type { Store } from '../store/types.js';
import { requireApiKey, requireUserOrApiKey, userAuthorizer } from './auth.js';
import { feedStreamRoutes, type FeedStreamDeps } from './routes/feed-stream.js';
import { dashboardRoutes, type DashboardOptions } from './dashboard/routes.js';
import { SessionSigner } from './dashboard/session.js';
import { errorHandler } from './errors.js';
import { jsonBodies } from './json-body.js';
import { corsFor, securityHeaders } from './http-headers.js';
import { CONFIG_DEFAULTS } from '../config/env.js';
import { timestampWindow, type TimestampWindow } from '../ingest/timestamp-window.js';
import { loadShedding } from './load-shedding.js';
import type { RateLimits } from './rate-limits.js';
import type { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi/document.js';
import { asyncApiDocument } from './asyncapi.js';
import { feedRoutes } from './routes/feed.js';
import { feedPreviewRoutes } from './routes/feed-preview.js';
import { jobRoutes } from './routes/jobs.js';
import { experimentRoutes } from './routes/experiments.js';
import type { ExperimentControl } from './routes/experiments.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { ingestRoutes } from './routes/ingest.js';
import { modelRoutes } from './routes/models.js';
import type { ActiveModelSource } from '../feed/active-model.js';
import { DEFAULT_MODELS_DIR, ModelRegistry } from '../../models/registry/registry.js';
import { opsRoutes, type ReadinessCheck } from './routes/ops.js';
import { registerStoreMetrics } from './store-metrics.js';
import { reportRoutes } from './routes/reports.js';

export interface AppDeps {
  store: Store;
  catalogue: MarketCatalogue;
  feed: FeedService;
  /** What ingestion stored; the catalogue, the users' cache and the replica relay subscribe. */
  events: IngestEvents;
  /** The active model, for model-backed routes (similar markets); they fall back without one. */
  model?: ActiveModelSource;
  metrics: ApiMetrics;
  logger: Logger;
  apiKeys: string[];
  /** Browser origins allowed to call the API (SIBYL_CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  maxBatch: number;
  /** How far from now interaction timestamps may lie; the config's defaults if absent. */
  tsWindow?: TimestampWindow;
  /** Runs background jobs triggered over the API. */
  jobs: JobRunner;
  /** The model registry (SIBYL_MODELS_DIR, change notifications); one on DEFAULT_MODELS_DIR without notifications if absent. */
  models?: ModelRegistry;
  /** Experiments, when configured: the definitions in force and, for file definitions, start/stop. */
  experiments?: ExperimentControl;
  /** The product managers' dashboard at /dashboard (its login also authenticates /v1 calls). */
  dashboard?: DashboardOptions;
  /** Extra readiness checks beyond the store and catalogue. */
  checks?: ReadinessCheck[];
  /** The clock stamping stored writes. @defaultValue () => new Date() */
  now?: () => Date;
  /** The key /metrics asks for (METRICS_API_KEY); open without one. */
  metricsApiKey?: string;
  /** Rate limits of authenticated routes (per key, per address, wrong keys). @defaultValue none */
  rateLimits?: RateLimits;
  /** Express's `trust proxy` (SIBYL_TRUST_PROXY): where the client address comes from. @defaultValue false */
  trustProxy?: boolean | number | string;
  /** Bounded in-flight requests (SIBYL_MAX_IN_FLIGHT, SIBYL_SHED_RETRY_AFTER_SECONDS). @defaultValue off */
  loadShedding?: { maxInFlight: number; retryAfterSeconds: number };
  /** Log every request (off in tests and benchmarks). @defaultValue true */
  requestLogging?: boolean;
  /** Live feed pushes over SSE (the WebSocket endpoint is wired on the HTTP server's upgrade). */
  push?: FeedStreamDeps;
  /**
   * Who may read feeds: `authorize` checks a credential (an API key; a user token with
   * SIBYL_USER_TOKEN_SECRET); `required` (FEED_REQUIRE_USER_TOKEN) refuses anonymous reads;
   * `hidePersonalReasons` keeps reasons naming a user's history from anonymous callers (when user
   * tokens are configured, only the user or a server may see them). @defaultValue API keys only, open
   */
  feedAuth?: {
    authorize: ReturnType<typeof userAuthorizer>;
    required: boolean;
    hidePersonalReasons: boolean;
  };
}

/** The HTTP API as an Express app, with every dependency injected. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  const cors = corsFor(deps.corsOrigins ?? []);
  if (cors) app.use(cors);
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(deps.metrics.middleware());
  // Before anything that costs: a shed request is answered without parsing, logging or a store call.
  if (deps.loadShedding) app.use(loadShedding({ ...deps.loadShedding, registry: deps.metrics.registry }));
  if (deps.requestLogging !== false) {
    app.use(
      pinoHttp({
        logger: deps.logger,
        serializers: { req: redactRequest },
        autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      }),
    );
  }

  const checks: ReadinessCheck[] = [
    { name: 'store', check: () => deps.store.ping() },
    {
      name: 'catalogue',
      check: async () => {
        if (!deps.catalogue.loaded) throw new Error('market catalogue not loaded yet');
      },
    },
    {
      name: 'jobs',
      // Feeds and ingestion serve without the queue, so an unreachable one degrades, never unreadies.
      check: async () => {
        try {
          return await deps.jobs.ping();
        } catch (err) {
          return `degraded: job queue unreachable (${(err as Error).message}); job triggers answer 503`;
        }
      },
    },
    ...(deps.checks ?? []),
  ];
  // Promotions and rollbacks through the API are stamped by the app's clock, like its writes.
  const models =
    deps.models ??
    new ModelRegistry({
      store: deps.store,
      modelsDir: DEFAULT_MODELS_DIR,
      now: deps.now ?? (() => new Date()),
    });
  registerStoreMetrics(deps.metrics.registry, deps.store, models);
  app.use(opsRoutes(deps.metrics, checks, deps.metricsApiKey ? { metricsApiKey: deps.metricsApiKey } : {}));
  const openapi = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const asyncapi = asyncApiDocument();
  app.get('/asyncapi.json', (_req, res) => {
    res.json(asyncapi);
  });

  const now = deps.now ?? (() => new Date());
  const signer = deps.dashboard && new SessionSigner(deps.apiKeys, deps.dashboard.sessionTtlMs);
  if (deps.dashboard && signer)
    app.use(dashboardRoutes({ ...deps.dashboard, apiKeys: deps.apiKeys, signer, now }));
  const auth = requireApiKey(deps.apiKeys, {
    ...(signer && { sessions: { signer, now } }),
    ...(deps.rateLimits && { limits: deps.rateLimits }),
  });
  const v1 = express.Router();
  if (deps.push) v1.use(feedStreamRoutes(deps.push));
  const feedAuth = deps.feedAuth ?? {
    authorize: userAuthorizer({ apiKeys: deps.apiKeys, now }),
    required: false,
    hidePersonalReasons: false,
  };
  // Tokens in URLs end up in logs: feed reads take them in the Authorization header only.
  v1.use(
    '/users/:userId/feed',
    requireUserOrApiKey(feedAuth.authorize, { allowQueryToken: false, optional: !feedAuth.required }),
  );
  // A list served "to" a user (?userId= on trending and similar) is recorded for attribution, so
  // it takes the same credential as that user's feed: nobody records lists for someone else.
  const servedTo = requireUserOrApiKey(feedAuth.authorize, {
    allowQueryToken: false,
    optional: !feedAuth.required,
    userOf: (req) => String(req.query.userId),
  });
  v1.use(['/trending', '/markets/:ticker/similar'], (req, res, next) => {
    if (req.query.userId === undefined) next();
    else servedTo(req, res, next);
  });
  // Feed reads first: they take no body, and are most of the traffic.
  v1.use(feedRoutes({ ...deps, hidePersonalReasons: feedAuth.hidePersonalReasons }));
  // Ingestion batches of 1,000 interactions are ~250 kB; 5 MB leaves room without inviting abuse.
  v1.use(jsonBodies('5mb'));
  v1.use(
    ingestRoutes({
      store: deps.store,
      metrics: deps.metrics,
      maxBatch: deps.maxBatch,
      tsWindow: deps.tsWindow ?? timestampWindow(CONFIG_DEFAULTS),
      now: deps.now ?? (() => new Date()),
      auth,
      feeds: deps.feed,
      events: deps.events,
    }),
  );
  v1.use(feedPreviewRoutes({ feed: deps.feed, auth }));
  v1.use(jobRoutes({ runner: deps.jobs, store: deps.store, auth }));
  v1.use(reportRoutes({ store: deps.store, auth }));
  v1.use(modelRoutes({ registry: models, auth }));
  if (deps.experiments) v1.use(experimentRoutes({ control: deps.experiments, store: deps.store, auth, now }));
  app.use('/v1', v1);

  app.use((req, _res, next) => {
    next(new SibylError('not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
