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

const envSchema = z.object({
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
  /** Where the embedded store keeps its data between runs. @defaultValue ./data */
  SIBYL_DATA_DIR: z.string().default('./data'),
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
  /** Most items accepted in one ingestion request. @defaultValue 1000 */
  INGEST_MAX_BATCH: z.coerce.number().int().min(1).default(1000),
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
   * the candidate's lead over the active model and over the best baseline must exceed it. @defaultValue 0
   */
  MODEL_PROMOTION_MARGIN: z.coerce.number().min(0).default(0),
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
      return `  ${name}=${JSON.stringify(present[name])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  if (parsed.data.SIBYL_STICKY_BUCKETING && !parsed.data.REDIS_URL) {
    throw new ConfigError(
      'Invalid environment:\n  SIBYL_STICKY_BUCKETING: needs REDIS_URL (sticky buckets live in Redis)',
    );
  }
  if (parsed.data.GROWTHBOOK_API_HOST && !parsed.data.GROWTHBOOK_CLIENT_KEY) {
    throw new ConfigError(
      'Invalid environment:\n  GROWTHBOOK_CLIENT_KEY: required when GROWTHBOOK_API_HOST is set',
    );
  }
  return parsed.data;
}
