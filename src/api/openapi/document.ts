import { JOB_NAMES, JOBS } from '../../../jobs/job-types.js';
import { dashboardLoginBody } from '../dashboard/routes.js';
import { byKey, coverageBody } from '../routes/experiments.js';
import { feedQuery, similarQuery, tickerParams, trendingQuery, userIdParams } from '../routes/feed.js';
import { previewQuery } from '../routes/feed-preview.js';
import { feedStreamQuery } from '../routes/feed-stream.js';
import { jobIdParams, jobNameParams, jobRunsQuery } from '../routes/jobs.js';
import { byVersion, modelsQuery, promoteBody, rollbackBody } from '../routes/models.js';
import { reportDateParams, reportQuery, reportsQuery } from '../routes/reports.js';
import { componentResponses, componentSchemas, inputSchema } from './components.js';
import { operation } from './operations.js';

const readiness = { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } };

/** An operation whose 200 also comes as text/csv (`?format=csv`). */
function alsoCsv(op: Record<string, unknown>): Record<string, unknown> {
  const ok = (op.responses as Record<string, { content?: Record<string, unknown> }>)[200]!;
  ok.content = { ...ok.content, 'text/csv': { schema: { type: 'string' } } };
  return op;
}

/** A batch write's body: `{ <key>: [items] }`, each item validated by its domain schema. */
const batchBody = (key: string, item: string) => ({
  type: 'object',
  required: [key],
  additionalProperties: false,
  properties: {
    [key]: {
      type: 'array',
      maxItems: 1000,
      description: 'At most INGEST_MAX_BATCH items',
      items: { $ref: `#/components/schemas/${item}` },
    },
  },
});

const batchWrite = (key: string, item: string, result: string, summary: string) =>
  operation({
    summary,
    description:
      'All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.',
    access: 'api-key',
    bodySchema: batchBody(key, item),
    ok: { description: 'Stored', schema: result },
  });

/**
 * The API contract as OpenAPI 3.0. Parameters and request bodies are generated from the zod
 * schemas the routes validate with (exported beside each route); test/api/openapi-contract.test.ts
 * fails when a route of the app is missing here, and src/client/generated/ is generated from it.
 */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Sibyl',
      version: '1',
      description:
        'Personalized market feeds. Errors are `{ error: { code, message, details } }`; write batches are all-or-nothing. Any route but /healthz, /readyz, /metrics and event streams may answer 503 with Retry-After while the replica sheds load.',
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A key from SIBYL_API_KEYS, for servers: writes, admin, any user’s feed',
        },
        userToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'v1.<base64url user id>.<expiry>.<HMAC-SHA256>',
          description:
            'A user token signed with SIBYL_USER_TOKEN_SECRET (`sibyl token`): acts for its own user only',
        },
        dashboardSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sibyl_session',
          description:
            'The dashboard’s session cookie (POST /dashboard/login), with an X-CSRF-Token header on writes',
        },
        metricsKey: { type: 'http', scheme: 'bearer', description: 'METRICS_API_KEY, when set' },
      },
      schemas: componentSchemas,
      responses: componentResponses,
    },
    paths: {
      '/v1/users/{userId}/feed': {
        get: operation({
          summary: 'Ranked, personalized feed of open markets',
          description:
            'Needs the user’s token or an API key once SIBYL_USER_TOKEN_SECRET is set (unless FEED_REQUIRE_USER_TOKEN=false); anonymous callers then get no reasons naming the user’s history. Targeting attributes may be passed as `attr.<name>=<value>`. An anonymous request for a never-seen user id is served outside experiments.',
          access: 'user-optional',
          params: userIdParams,
          query: feedQuery,
          ok: { description: 'A page', schema: 'Feed' },
          errors: [410],
        }),
      },
      '/v1/users/{userId}/feed/stream': {
        get: operation({
          summary:
            'Live updates of a served feed as Server-Sent Events (messages: /asyncapi.json; the WebSocket /v1/stream carries the same)',
          access: 'user',
          params: userIdParams,
          query: feedStreamQuery,
          extraParameters: [
            {
              name: 'Last-Event-ID',
              in: 'header',
              schema: { type: 'integer', minimum: 0 },
              description: 'The last seq received: missed events are replayed, or reset sent',
            },
          ],
          ok: {
            description: 'An event stream',
            contentType: 'text/event-stream',
            schema: { type: 'string' },
          },
          errors: [404],
          neverShed: true,
        }),
      },
      '/v1/users/{userId}/feed/preview': {
        get: operation({
          summary: 'The first page a ranker would serve the user now (assigns nobody, logs no exposure)',
          access: 'api-key',
          params: userIdParams,
          query: previewQuery,
          ok: { description: 'The preview', schema: 'FeedPreview' },
        }),
      },
      '/v1/trending': {
        get: operation({
          summary:
            'Trending open markets (with userId, a feedId for attributing what the user does with them)',
          description:
            'With userId, the list is recorded as served to that user: once SIBYL_USER_TOKEN_SECRET is set, that needs the user’s token or an API key (unless FEED_REQUIRE_USER_TOKEN=false).',
          access: 'user-optional',
          query: trendingQuery,
          ok: { description: 'Trending markets', schema: 'Trending' },
        }),
      },
      '/v1/categories': {
        get: operation({
          summary: 'Every known category with its number of open markets, most first',
          access: 'open',
          ok: { description: 'Categories', schema: 'Categories' },
        }),
      },
      '/v1/markets/{ticker}': {
        get: operation({
          summary: 'One market in any status, with its event and series titles',
          access: 'open',
          params: tickerParams,
          ok: { description: 'The market', schema: 'MarketDetails' },
          errors: [404],
        }),
      },
      '/v1/markets/{ticker}/similar': {
        get: operation({
          summary:
            'Open markets similar to this one: by the active model (source "model"), else by co-interaction (with userId, a feedId for attribution)',
          description:
            'With userId, the list is recorded as served to that user: once SIBYL_USER_TOKEN_SECRET is set, that needs the user’s token or an API key (unless FEED_REQUIRE_USER_TOKEN=false).',
          access: 'user-optional',
          params: tickerParams,
          query: similarQuery,
          ok: { description: 'Similar markets', schema: 'Similar' },
          errors: [404],
        }),
      },
      '/v1/series': { put: batchWrite('series', 'Series', 'UpsertResult', 'Upsert series') },
      '/v1/events': { put: batchWrite('events', 'Event', 'UpsertResult', 'Upsert events') },
      '/v1/markets': {
        put: batchWrite(
          'markets',
          'MarketWrite',
          'UpsertResult',
          "Upsert markets: new ones whole, stored ones by the fields sent, in our shape or Kalshi's",
        ),
      },
      '/v1/users': {
        put: batchWrite('users', 'User', 'UpsertResult', 'Upsert users and their targeting attributes'),
      },
      '/v1/interactions': {
        post: batchWrite(
          'interactions',
          'Interaction',
          'InteractionResult',
          'Record interactions (idempotent by eventId)',
        ),
      },
      '/v1/jobs/{name}': {
        post: operation({
          summary:
            'Trigger a background job (deduplicated: a waiting or running job of the same name and payload is joined)',
          description:
            'The body is the job’s payload (e.g. `{ "windowDays": 30 }` for train), validated before it is queued. 503 while the job queue is unreachable.',
          access: 'api-key',
          params: jobNameParams,
          // Each job validates its own payload (jobs/job-types.ts): any of theirs.
          bodySchema: {
            anyOf: JOB_NAMES.map((name) => ({ title: name, ...inputSchema(JOBS[name].payload) })),
          },
          ok: { status: 202, description: 'Queued', schema: 'JobTriggered' },
          errors: [404],
        }),
      },
      '/v1/jobs/{id}': {
        get: operation({
          summary: 'A triggered job’s state, progress and result (kept 7 days)',
          access: 'api-key',
          params: jobIdParams,
          ok: { description: 'The job', schema: 'JobStatus' },
          errors: [404],
        }),
      },
      '/v1/job-runs': {
        get: operation({
          summary: 'Recent job runs, newest first, and the names of jobs that can be triggered',
          access: 'api-key',
          query: jobRunsQuery,
          ok: { description: 'Runs', schema: 'JobRuns' },
        }),
      },
      '/v1/models': {
        get: operation({
          summary: 'Model versions, newest first, and the active one of each kind',
          access: 'api-key',
          query: modelsQuery,
          ok: { description: 'Models', schema: 'ModelList' },
        }),
      },
      '/v1/models/{version}': {
        get: operation({
          summary: 'One model version with its metrics and gate decision',
          access: 'api-key',
          params: byVersion,
          ok: { description: 'The model', schema: 'Model' },
          errors: [404],
        }),
      },
      '/v1/models/{version}/promote': {
        post: operation({
          summary: 'Make a model active by hand, bypassing the promotion gate',
          description:
            "For candidate, rejected or retired models whose artifact loads; the active model of the same kind is retired (other kinds' stay) and API replicas reload.",
          access: 'api-key',
          params: byVersion,
          body: promoteBody,
          ok: { description: 'The promoted model', schema: 'Model' },
          errors: [404, 409],
        }),
      },
      '/v1/models/rollback': {
        post: operation({
          summary:
            'Make a previously active model active again (by default the one of `kind`, two-tower unless given, active before the current one); other kinds are untouched',
          access: 'api-key',
          body: rollbackBody,
          ok: { description: 'The model now active', schema: 'Model' },
          errors: [404, 409],
        }),
      },
      '/v1/reports/daily': {
        get: operation({
          summary: 'Daily reports: per day, newest first, its versions (restatements) and their status',
          access: 'api-key',
          query: reportsQuery,
          ok: { description: 'The days', schema: 'ReportDays' },
        }),
      },
      '/v1/reports/daily/{date}': {
        get: alsoCsv(
          operation({
            summary:
              "A day's reconciled report: attributed rows, organic, total, tie-out and exceptions (docs/reports.md)",
            access: 'api-key',
            params: reportDateParams,
            query: reportQuery,
            ok: {
              description: 'The report (JSON), or with ?format=csv its rows and tie-out lines',
              schema: 'DailyReport',
            },
            errors: [404],
          }),
        ),
      },
      '/v1/experiments': {
        get: operation({
          summary: 'Experiments with their definitions, whether they may be edited here, and the rankers',
          access: 'api-key',
          ok: { description: 'Experiments', schema: 'ExperimentList' },
        }),
      },
      '/v1/experiments/{key}': {
        get: operation({
          summary: 'One experiment’s definition',
          access: 'api-key',
          params: byKey,
          ok: { description: 'The experiment', schema: 'Experiment' },
          errors: [404],
        }),
        put: operation({
          summary:
            'Create or replace a ranker experiment (a GrowthBook experiment rule of the feed-ranker feature)',
          description:
            'Checked like the definition files; a 422 names each bad field as body.<field>. Stored for every replica; 409 when a GrowthBook server owns the definitions.',
          access: 'api-key',
          params: byKey,
          bodySchema: {
            type: 'object',
            additionalProperties: true,
            description: 'A GrowthBook experiment rule',
          },
          ok: { description: 'The experiment, replaced', schema: 'Experiment' },
          alsoOk: { 201: { description: 'The experiment, created', schema: 'Experiment' } },
          errors: [409],
        }),
      },
      '/v1/experiments/{key}/coverage': {
        put: operation({
          summary: 'Start (coverage > 0) or stop (0) an experiment for every replica',
          access: 'api-key',
          params: byKey,
          body: coverageBody,
          ok: { description: 'The experiment', schema: 'Experiment' },
          errors: [404, 409],
        }),
      },
      '/v1/experiments/{key}/results': {
        get: operation({
          summary: 'Results per variation from exposures and interactions',
          access: 'api-key',
          params: byKey,
          ok: { description: 'Results', schema: 'ExperimentResults' },
          errors: [404],
        }),
      },
      '/dashboard/login': {
        post: operation({
          summary:
            'Log in to the dashboard with an API key: sets an HttpOnly, SameSite=Strict session cookie; API calls with it also send X-CSRF-Token',
          access: 'open',
          body: dashboardLoginBody,
          ok: { description: 'Logged in', schema: 'DashboardSession' },
          errors: [401],
        }),
      },
      '/dashboard/session': {
        get: operation({
          summary: 'Whether this browser is logged in (and its CSRF token)',
          access: 'open',
          ok: { description: 'The session', schema: 'DashboardSession' },
        }),
      },
      '/dashboard/logout': {
        post: operation({
          summary: 'Log out: clears the session cookie (needs the session and its X-CSRF-Token)',
          access: 'open',
          ok: {
            description: 'Logged out',
            schema: { type: 'object', properties: { loggedOut: { type: 'boolean' } } },
          },
          errors: [401],
        }),
      },
      '/healthz': {
        get: operation({
          summary: 'Liveness',
          access: 'open',
          ok: { description: 'Alive', schema: 'Health' },
          neverShed: true,
        }),
      },
      '/readyz': {
        get: {
          ...operation({
            summary: 'Readiness per dependency, each given at most a second',
            access: 'open',
            ok: { description: 'Ready (possibly degraded)', schema: 'Readiness' },
            neverShed: true,
          }),
          responses: {
            200: { description: 'Ready (possibly degraded)', content: readiness },
            503: { description: 'Not ready', content: readiness },
          },
        },
      },
      '/metrics': {
        get: operation({
          summary: 'Prometheus metrics',
          access: 'metrics',
          ok: { description: 'Metrics', contentType: 'text/plain', schema: { type: 'string' } },
          neverShed: true,
        }),
      },
      '/openapi.json': {
        get: operation({
          summary: 'This document',
          access: 'open',
          ok: { description: 'OpenAPI 3.0', schema: { type: 'object', additionalProperties: true } },
        }),
      },
      '/asyncapi.json': {
        get: operation({
          summary: 'The push streams’ contract (AsyncAPI)',
          access: 'open',
          ok: { description: 'AsyncAPI 3', schema: { type: 'object', additionalProperties: true } },
        }),
      },
    },
  };
}
