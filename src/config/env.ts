import cronParser from 'cron-parser';
import { z } from 'zod';

/** Comma-separated list, blanks dropped. */
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);

/**
 * Every environment variable Sibyl reads, with its default. Nothing else reads `process.env`.
 * An empty value counts as unset, as docker-compose passes `VAR=` for blanks.
 */
/** A five- or six-field cron pattern, evaluated in UTC. */
const cron = z.string().refine(
  (pattern) => {
    try {
      cronParser.parseExpression(pattern, { tz: 'UTC' });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid cron pattern' },
);

export const envSchema = z.object({
  /** HTTP port of the API. @defaultValue 8080 */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Interface the API binds to. @defaultValue 0.0.0.0 */
  HOST: z.string().default('0.0.0.0'),
  /** MongoDB connection string; unset means the embedded store (demo, tests, `--embedded`). */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  /** MongoDB database name. @defaultValue sibyl */
  MONGODB_DB: z
    .string()
    .regex(/^[^/\\. "$]+$/, 'not a valid database name')
    .default('sibyl'),
  /** Redis for queues, pub/sub and feed snapshots; unset means in-process jobs and memory snapshots. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** GrowthBook API host; with GROWTHBOOK_CLIENT_KEY the experiment payload comes from that server. */
  GROWTHBOOK_API_HOST: z.url().optional(),
  /** GrowthBook SDK client key. */
  GROWTHBOOK_CLIENT_KEY: z.string().optional(),
  /** API keys accepted on write and admin routes (`Authorization: Bearer <key>`), comma-separated. */
  SIBYL_API_KEYS: csv.default([]),
  /**
   * Browser origins allowed to call the API cross-origin (CORS), comma-separated exact origins such
   * as https://app.example.com. Unset: no CORS headers, so browsers keep other origins out.
   */
  SIBYL_CORS_ORIGINS: csv
    .pipe(
      z.array(
        z.url({ protocol: /^https?$/ }).regex(/^[^/]+\/\/[^/]+$/, 'an origin: scheme://host[:port], no path'),
      ),
    )
    .default([]),
  /** Where the embedded store keeps its data between runs. @defaultValue ./data */
  SIBYL_DATA_DIR: z.string().default('./data'),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_API_KEY>` (a key for scrapers only). */
  METRICS_API_KEY: z.string().min(16, 'use at least 16 characters').optional(),
  /**
   * Port on which `sibyl worker` serves its own Prometheus metrics (`/metrics`: job attempts and
   * durations by job and outcome; behind METRICS_API_KEY when set). Unset: not served.
   */
  SIBYL_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * Port on which `sibyl serve` also answers GET /healthz and /readyz (nothing else), on a listener
   * of their own: under a flood of requests on PORT a probe there does not wait in the same accept
   * queue (BENCHMARKS.md, "Overload"). Unset: the probes are served on PORT only.
   */
  SIBYL_PROBE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** pino log level. @defaultValue info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Markets closing sooner than this are left out of feeds. @defaultValue 30 */
  FEED_MIN_HORIZON_MINUTES: z.coerce.number().min(0).default(30),
  /** Most markets of one event in a feed. @defaultValue 2 */
  FEED_MAX_PER_EVENT: z.coerce.number().int().min(1).default(2),
  /** How long a feed snapshot (and so its cursors) lives. @defaultValue 900 */
  FEED_SNAPSHOT_TTL_SECONDS: z.coerce.number().int().min(1).default(900),
  /**
   * How long a user's context (recent interactions, features, attributes) is kept in memory between
   * requests. Interactions and users posted through the API invalidate it at once on every replica
   * (over Redis); this bounds staleness from other writers (imports, feature refreshes). 0 turns the
   * cache off. @defaultValue 30
   */
  FEED_USER_CACHE_SECONDS: z.coerce.number().min(0).default(30),
  /** Most users whose context is kept in memory. @defaultValue 100000 */
  FEED_USER_CACHE_SIZE: z.coerce.number().int().min(1).default(100_000),
  /**
   * From this many open markets on, the two-tower ranker finds a user's nearest markets through an
   * approximate (IVF) index built in the background, instead of scanning every market's vector.
   * @defaultValue 100000
   */
  FEED_ANN_MIN_MARKETS: z.coerce.number().int().min(1).default(100_000),
  /** How stale the in-memory catalogue of open markets may get before it is reloaded. @defaultValue 5 */
  CATALOGUE_REFRESH_SECONDS: z.coerce.number().min(0).default(5),
  /**
   * Requests one API process serves at once; beyond it requests are answered 503 with Retry-After
   * at once rather than queued (probes and /metrics exempt). 0 turns load shedding off. @defaultValue 256
   */
  SIBYL_MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(256),
  /** Retry-After, in seconds, on a request shed under load. @defaultValue 1 */
  SIBYL_SHED_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(1),
  /**
   * Write requests one API key may make per minute, across replicas (Redis); beyond it 429 with
   * Retry-After. 0 turns the limit off. @defaultValue 6000
   */
  SIBYL_RATE_LIMIT_WRITES_PER_KEY: z.coerce.number().int().min(0).default(6000),
  /** Write requests one client address may make per minute, across replicas. 0: off. @defaultValue 6000 */
  SIBYL_RATE_LIMIT_WRITES_PER_ADDRESS: z.coerce.number().int().min(0).default(6000),
  /**
   * Wrong API keys one client address may send per minute; beyond it its authenticated requests are
   * refused with 429 for the rest of the minute. 0: off. @defaultValue 10
   */
  SIBYL_RATE_LIMIT_FAILED_AUTH: z.coerce.number().int().min(0).default(10),
  /**
   * Express's `trust proxy` setting, so that the client address (for rate limits and logs) is read
   * from X-Forwarded-For behind a load balancer: `false`, `true`, a hop count, or addresses/subnets
   * (e.g. `loopback, 10.0.0.0/8`). @defaultValue false
   */
  SIBYL_TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
    )
    .default(false),
  /** Most items accepted in one ingestion request. @defaultValue 1000 */
  INGEST_MAX_BATCH: z.coerce.number().int().min(1).default(1000),
  /**
   * Oldest interaction `ts` the API accepts, in days before now: late events from offline clients
   * fit, a mistyped year does not (`sibyl import` of history is not bound by it). @defaultValue 30
   */
  INGEST_TS_MAX_AGE_DAYS: z.coerce.number().positive().default(30),
  /** How far ahead of the server's clock an interaction `ts` may be (client clock skew). @defaultValue 300 */
  INGEST_TS_MAX_AHEAD_SECONDS: z.coerce.number().min(0).default(300),
  /** Incremental feature refresh schedule (cron, UTC). @defaultValue every 5 minutes */
  SIBYL_SCHEDULE_REFRESH: cron.default('*/5 * * * *'),
  /** Nightly chain: full feature rebuild (then train, evaluate, promote). @defaultValue 03:00 UTC */
  SIBYL_SCHEDULE_NIGHTLY: cron.default('0 3 * * *'),
  /** Market-catalogue sync (status maintenance, optional pull from MARKET_SYNC_URL). @defaultValue every minute */
  SIBYL_SCHEDULE_MARKET_SYNC: cron.default('* * * * *'),
  /** Redis key prefix of the job queues (separate deployments sharing a Redis use different ones). @defaultValue sibyl */
  SIBYL_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('sibyl'),
  /** Keep users in their first variation when weights change (GrowthBook sticky bucketing in Redis; needs REDIS_URL). @defaultValue false */
  SIBYL_STICKY_BUCKETING: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Experiment definitions (GrowthBook feature JSON files) product managers edit. @defaultValue ./experiments */
  SIBYL_EXPERIMENTS_DIR: z.string().default('./experiments'),
  /** The built dashboard served at /dashboard (`npm run build:dashboard` writes it). @defaultValue ./dist/dashboard */
  SIBYL_DASHBOARD_DIR: z.string().default('./dist/dashboard'),
  /** How long a dashboard login lasts, in hours. @defaultValue 8 */
  SIBYL_DASHBOARD_SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(8),
  /**
   * A Kalshi-compatible REST API (e.g. https://…/trade-api/v2) the market sync pulls series, events
   * and markets from, and the market stream resyncs from (a URL ending in /markets pulls that endpoint alone).
   */
  MARKET_SYNC_URL: z.url().optional(),
  /**
   * A Kalshi-compatible market-data WebSocket (e.g. wss://…/trade-api/ws/v2): the worker applies its
   * lifecycle and ticker messages to the catalogue as they come.
   */
  MARKET_STREAM_URL: z
    .string()
    .regex(/^wss?:\/\/\S+$/, 'must start with ws:// or wss://')
    .optional(),
  /**
   * Secret signing user tokens (HMAC-SHA256 over user id and expiry): the exchange's backend issues
   * them (`sibyl token`) so a browser may read its own user's feed and stream without an API key.
   * Set, feeds need that token or an API key (see FEED_REQUIRE_USER_TOKEN); unset, streams need an
   * API key and feeds are open. At least 32 characters.
   */
  SIBYL_USER_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Feed reads (GET /v1/users/{userId}/feed) need that user's token or an API key. Unset, they do
   * whenever SIBYL_USER_TOKEN_SECRET is set; `false` keeps them open to anonymous callers, who then
   * get no reasons naming the user's history. @defaultValue true when SIBYL_USER_TOKEN_SECRET is set
   */
  FEED_REQUIRE_USER_TOKEN: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  /** A market on a subscriber's served pages whose price moves this many cents since served is pushed (price_moved). @defaultValue 5 */
  FEED_PUSH_PRICE_CENTS: z.coerce.number().positive().max(100).default(5),
  /** A newly listed market is pushed (new_match) when it would rank this high in the subscriber's feed now. @defaultValue 10 */
  FEED_PUSH_TOP_K: z.coerce.number().int().min(1).max(200).default(10),
  /** At most one feed_changed per user this often. @defaultValue 30 */
  FEED_PUSH_MIN_SECONDS: z.coerce.number().min(0).default(30),
  /** How long pushed events are kept for resuming (Last-Event-ID / resume_from); older asks get `reset`. @defaultValue 300 */
  FEED_PUSH_RETAIN_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Bytes a stream connection may have waiting to be sent; past it the slow consumer is disconnected. @defaultValue 262144 */
  FEED_PUSH_QUEUE_BYTES: z.coerce.number().int().min(1024).default(262_144),
  /** Where trained model artifacts are written (`<dir>/<version>/`, with a manifest.json). @defaultValue models/artifacts */
  SIBYL_MODELS_DIR: z.string().default('models/artifacts'),
  /** Days of interactions a training run uses, ending now. @defaultValue 60 */
  MODEL_TRAIN_WINDOW_DAYS: z.coerce.number().positive().default(60),
  /** Share of the window's interactions (the latest) held out to evaluate candidates on. @defaultValue 0.1 */
  MODEL_TEST_FRACTION: z.coerce.number().gt(0).lt(1).default(0.1),
  /** Offline metric the promotion gate compares (e.g. ndcg@10, recall@10, hr@10, mrr). @defaultValue ndcg@10 */
  MODEL_PROMOTION_METRIC: z
    .string()
    .regex(/^(ndcg|recall|hr)@\d+$|^mrr$|^coverage$/, 'expected ndcg@K, recall@K, hr@K, mrr or coverage')
    .default('ndcg@10'),
  /**
   * Absolute margin, in the metric's units: the lower bound of the paired bootstrap 95% interval of
   * a two-tower candidate's lead over the active model and over the best baseline must exceed it; an
   * EASE or BPR-MF candidate is rejected only when the interval's upper bound of its difference with
   * the active model of its kind is below minus it. @defaultValue 0
   */
  MODEL_PROMOTION_MARGIN: z.coerce.number().min(0).default(0),
  /**
   * Retired models (rollback targets) whose artifacts are kept, and as many rejected ones; older
   * artifacts are deleted after each promotion or rejection (their documents stay). @defaultValue 5
   */
  MODEL_KEEP_RETIRED: z.coerce.number().int().min(0).default(5),
  /**
   * EASE models cover at most this many markets, the most popular of the window by users (the
   * others get no personal score): its fit is O(N³) time and N² memory, and its serving vectors
   * have N coordinates. @defaultValue 2500
   */
  MODEL_EASE_MAX_ITEMS: z.coerce.number().int().min(1).max(20_000).default(2500),
  /** How often API replicas check for a newly promoted model when pub/sub is unavailable or missed. @defaultValue 30 */
  MODEL_RELOAD_POLL_SECONDS: z.coerce.number().min(1).default(30),
  /** A trade is attributed to a feed exposure of its market at most this long before it. @defaultValue 24 */
  ATTRIBUTION_WINDOW_HOURS: z.coerce.number().gt(0).max(720).default(24),
  /** Attribute trades to clicks only (click-through), not to impressions too (view-through). @defaultValue false */
  ATTRIBUTION_CLICK_THROUGH_ONLY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** The time zone daily reports cut days in (IANA name). @defaultValue America/New_York */
  REPORT_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'not an IANA time zone (e.g. America/New_York)')
    .default('America/New_York'),
  /** When a report's day starts and ends, HH:MM in REPORT_TIMEZONE. @defaultValue 00:00 */
  REPORT_CUTOFF: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00 to 23:59')
    .default('00:00'),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof envSchema>;

/** Every setting's default: the one place defaults live (modules read them from here). */
export const CONFIG_DEFAULTS: Config = envSchema.parse({});

/**
 * Variables whose values may carry credentials (connection strings, keys, secrets, tokens): an error
 * names them but never echoes their value, which would end up in logs and CI output.
 */
export function isSecret(name: string): boolean {
  // A flag or a number (FEED_REQUIRE_USER_TOKEN) names a credential without holding one; a flag
  // without a default is known by what it parses '1' to.
  const kind = typeof (CONFIG_DEFAULTS as Record<string, unknown>)[name];
  const sample = (envSchema.shape as Record<string, z.ZodType | undefined>)[name]?.safeParse('1');
  const parsedKind = sample?.success ? typeof sample.data : undefined;
  if ([kind, parsedKind].some((k) => k === 'boolean' || k === 'number')) return false;
  return /URI|URL|_HOST$|KEY|SECRET|TOKEN|PASSWORD/.test(name);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = isSecret(name) ? ' (value not shown)' : `=${JSON.stringify(present[name])}`;
      return `  ${name}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  if (parsed.data.SIBYL_STICKY_BUCKETING && !parsed.data.REDIS_URL) {
    throw new ConfigError(
      'Invalid environment:\n  SIBYL_STICKY_BUCKETING: needs REDIS_URL (sticky buckets live in Redis)',
    );
  }
  if (parsed.data.FEED_REQUIRE_USER_TOKEN && !parsed.data.SIBYL_USER_TOKEN_SECRET) {
    throw new ConfigError(
      'Invalid environment:\n  FEED_REQUIRE_USER_TOKEN: needs SIBYL_USER_TOKEN_SECRET (user tokens are signed with it)',
    );
  }
  if (parsed.data.GROWTHBOOK_API_HOST && !parsed.data.GROWTHBOOK_CLIENT_KEY) {
    throw new ConfigError(
      'Invalid environment:\n  GROWTHBOOK_CLIENT_KEY: required when GROWTHBOOK_API_HOST is set',
    );
  }
  return parsed.data;
}
