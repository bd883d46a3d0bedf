import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { SibylError } from '../errors.js';
import type { MarketCatalogue } from '../feed/catalogue/market-catalogue.js';
import type { FeedService } from '../feed/feed-service.js';
import type { Logger } from '../log/logger.js';
import type { IngestEvents } from '../ingest/events/ingest-events.js';
import type { Store } from '../store/types.js';
import { requireApiKey } from './auth.js';
import { errorHandler } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { feedRoutes } from './routes/feed.js';
import { jobRoutes } from './routes/jobs.js';
import { experimentRoutes } from './routes/experiments.js';
import type { ExperimentControl } from './routes/experiments.js';
import type { JobRunner } from '../../jobs/job-types.js';
import { ingestRoutes } from './routes/ingest.js';
import { modelRoutes } from './routes/models.js';
import type { ActiveModelSource } from '../feed/active-model.js';
import { DEFAULT_MODELS_DIR, ModelRegistry } from '../../models/registry/registry.js';
import { opsRoutes, type ReadinessCheck } from './routes/ops.js';
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
  maxBatch: number;
  /** Runs background jobs triggered over the API. */
  jobs: JobRunner;
  /** The model registry (SIBYL_MODELS_DIR, change notifications); one on DEFAULT_MODELS_DIR without notifications if absent. */
  models?: ModelRegistry;
  /** Experiments, when configured: the definitions in force and, for file definitions, start/stop. */
  experiments?: ExperimentControl;
  /** Extra readiness checks beyond the store and catalogue. */
  checks?: ReadinessCheck[];
  /** The clock stamping stored writes. @defaultValue () => new Date() */
  now?: () => Date;
  /** Log every request (off in tests and benchmarks). @defaultValue true */
  requestLogging?: boolean;
}

/** The HTTP API as an Express app, with every dependency injected. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(deps.metrics.middleware());
  deps.metrics.watchReports(deps.store);
  if (deps.requestLogging !== false) {
    app.use(
      pinoHttp({
        logger: deps.logger,
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
    { name: 'jobs', check: () => deps.jobs.ping() },
    ...(deps.checks ?? []),
  ];
  app.use(opsRoutes(deps.metrics, checks));
  const openapi = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  const auth = requireApiKey(deps.apiKeys);
  const v1 = express.Router();
  // Feed reads first: they take no body, and are most of the traffic.
  v1.use(feedRoutes(deps));
  // Ingestion batches of 1,000 interactions are ~250 kB; 5 MB leaves room without inviting abuse.
  v1.use(express.json({ limit: '5mb' }));
  v1.use(
    ingestRoutes({
      store: deps.store,
      metrics: deps.metrics,
      maxBatch: deps.maxBatch,
      now: deps.now ?? (() => new Date()),
      auth,
      feeds: deps.feed,
      events: deps.events,
    }),
  );
  v1.use(jobRoutes({ runner: deps.jobs, store: deps.store, auth }));
  v1.use(reportRoutes({ store: deps.store, auth }));
  v1.use(
    modelRoutes({
      // Promotions and rollbacks through the API are stamped by the app's clock, like its writes.
      registry:
        deps.models ??
        new ModelRegistry({
          store: deps.store,
          modelsDir: DEFAULT_MODELS_DIR,
          now: deps.now ?? (() => new Date()),
        }),
      auth,
    }),
  );
  if (deps.experiments) v1.use(experimentRoutes({ control: deps.experiments, store: deps.store, auth }));
  app.use('/v1', v1);

  app.use((req, _res, next) => {
    next(new SibylError('not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
