import { z } from 'zod';
import {
  eventInput,
  interactionInput,
  marketInput,
  marketPatch,
  seriesInput,
  userInput,
} from '../domain/schemas.js';

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

const errorResponse = { $ref: '#/components/responses/Error' };
const batchWrite = (key: string, item: string, result: string, summary: string) => ({
  summary,
  security: [{ bearer: [] }],
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: [key],
          properties: {
            [key]: { type: 'array', maxItems: 1000, items: { $ref: `#/components/schemas/${item}` } },
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Stored',
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${result}` } } },
    },
    400: errorResponse,
    401: errorResponse,
    413: errorResponse,
    // A body that is not application/json, or a Content-Encoding or charset the server does not decode.
    415: errorResponse,
    422: errorResponse,
    // The store is unreachable: nothing was stored; retry after Retry-After seconds.
    503: errorResponse,
  },
});

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const nullableString = (description?: string) => ({
  type: 'string',
  nullable: true,
  ...(description ? { description } : {}),
});
const marketCardProperties = {
  ticker: { type: 'string' },
  eventTicker: { type: 'string' },
  seriesTicker: nullableString(),
  title: { type: 'string' },
  subtitle: nullableString('The outcome, e.g. "Above 4.25%"'),
  eventTitle: nullableString(),
  seriesTitle: nullableString(),
  category: { type: 'string' },
  status: { type: 'string', enum: ['unopened', 'open', 'paused', 'closed', 'settled'] },
  yesBid: nullableString('Decimal dollars, e.g. "0.4200"'),
  yesAsk: nullableString('Decimal dollars, e.g. "0.4400"'),
  lastPrice: nullableString('Decimal dollars of the last trade'),
  closeTime: { type: 'string', format: 'date-time' },
  volume24h: { type: 'number' },
};
const categoryParam = {
  name: 'category',
  in: 'query',
  schema: { type: 'array', items: { type: 'string' } },
  description:
    'Repeat or comma-separate for several (any case). An unknown category is a 400 whose details name the known ones (GET /v1/categories)',
};
/** Serving a list to a user gives it a feedId, which their impressions and clicks name for attribution. */
const userIdParam = {
  name: 'userId',
  in: 'query',
  description: 'The user shown the list: the response gets a feedId for their impressions and clicks',
  schema: { type: 'string' },
};
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'string' } };

/** The API contract as OpenAPI 3, with request schemas generated from the same zod schemas that validate. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Sibyl',
      version: '1',
      description:
        'Personalized market feeds. Write batches are all-or-nothing: one invalid item rejects the batch and every offending item and field is listed in error.details.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Series: schema(seriesInput),
        Event: schema(eventInput),
        Market: schema(marketInput),
        MarketPatch: {
          ...schema(marketPatch),
          description:
            'A change to a stored market: its ticker and the fields to change; the others keep their stored values',
        },
        KalshiMarket: {
          type: 'object',
          required: ['ticker', 'event_ticker'],
          additionalProperties: true,
          description:
            "A market object of Kalshi's Trade API v2, as `sibyl import` takes it: prices as `*_dollars` strings or integer cents, statuses initialized/active/inactive/closed/determined/finalized; an empty title takes its event's",
        },
        MarketWrite: {
          oneOf: [
            { $ref: '#/components/schemas/Market' },
            { $ref: '#/components/schemas/MarketPatch' },
            { $ref: '#/components/schemas/KalshiMarket' },
          ],
        },
        User: schema(userInput),
        Interaction: schema(interactionInput),
        UpsertResult: {
          type: 'object',
          properties: {
            received: { type: 'integer' },
            inserted: { type: 'integer' },
            updated: { type: 'integer' },
          },
        },
        InteractionResult: {
          type: 'object',
          properties: {
            received: { type: 'integer' },
            inserted: { type: 'integer' },
            duplicates: { type: 'integer' },
          },
        },
        MarketCard: {
          type: 'object',
          description: 'What a market card shows; absent values are null',
          properties: marketCardProperties,
        },
        MarketDetails: {
          type: 'object',
          properties: {
            ...marketCardProperties,
            openTime: { type: 'string', format: 'date-time', nullable: true },
            expirationTime: { type: 'string', format: 'date-time', nullable: true },
            volume: { type: 'number', nullable: true },
            openInterest: { type: 'number', nullable: true },
          },
        },
        FeedItem: {
          type: 'object',
          properties: {
            ...marketCardProperties,
            score: {
              type: 'number',
              description:
                "The ranker's relevance of this market before re-ranking for diversity (at most N per event, spread across series and categories). The order of items is the ranking: scores need not decrease down the list, and are not comparable across rankers or feeds",
            },
            reasons: {
              type: 'array',
              items: { type: 'string' },
              description:
                'Why it is here, most personal first. A reason naming a market the user engaged with ("Because you traded …") names one of the same event, series or category',
            },
          },
        },
        Categories: {
          type: 'object',
          properties: {
            categories: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, openMarkets: { type: 'integer' } },
              },
            },
          },
        },
        Feed: {
          type: 'object',
          properties: {
            userId: { type: 'string' },
            feedId: { type: 'string' },
            ranker: { type: 'string' },
            model: {
              type: 'string',
              nullable: true,
              description: 'Version of the model that ranked this feed (null for rankers without one)',
            },
            experiment: {
              type: 'object',
              nullable: true,
              properties: { key: { type: 'string' }, variation: { type: 'string' } },
            },
            items: { type: 'array', items: { $ref: '#/components/schemas/FeedItem' } },
            nextCursor: { type: 'string', nullable: true },
          },
        },
        Model: {
          type: 'object',
          description: 'One model version of the registry',
          properties: {
            version: { type: 'string', example: 'tt-20261123T010203Z-1a2b3c' },
            kind: { type: 'string', example: 'two-tower' },
            status: { type: 'string', enum: ['candidate', 'active', 'rejected', 'retired', 'failed'] },
            dataWindow: {
              type: 'object',
              properties: {
                from: { type: 'string', format: 'date-time' },
                to: { type: 'string', format: 'date-time' },
              },
            },
            seed: { type: 'integer' },
            hyperparameters: { type: 'object', additionalProperties: true },
            testFraction: { type: 'number' },
            metrics: {
              type: 'object',
              description:
                'Per ranker on the evaluation split (`candidate`, `active`, each baseline): ndcg@K, recall@K, hr@K, mrr, coverage',
              additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
            },
            split: { type: 'object', additionalProperties: true },
            comparedWith: {
              type: 'object',
              properties: { version: { type: 'string' }, error: { type: 'string' } },
            },
            gate: {
              type: 'object',
              properties: {
                metric: { type: 'string' },
                margin: { type: 'number' },
                baseline: { type: 'string' },
                decision: { type: 'string', enum: ['promote', 'reject'] },
                reason: { type: 'string' },
              },
            },
            artifactDir: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            trainedAt: { type: 'string', format: 'date-time' },
            promotedAt: { type: 'string', format: 'date-time' },
            promotionReason: { type: 'string' },
            error: { type: 'string' },
          },
        },
        ModelList: {
          type: 'object',
          properties: {
            active: { type: 'string', nullable: true },
            models: { type: 'array', items: { $ref: '#/components/schemas/Model' } },
          },
        },
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { path: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        Error: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    paths: {
      '/v1/users/{userId}/feed': {
        get: {
          summary: 'Ranked, personalized feed of open markets',
          parameters: [
            { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string' },
              description: 'nextCursor of the previous page',
            },
            categoryParam,
          ],
          responses: {
            200: {
              description: 'A page',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Feed' } } },
            },
            400: errorResponse,
            410: errorResponse,
          },
        },
      },
      '/v1/users/{userId}/feed/stream': {
        get: {
          summary:
            'Live updates of a served feed as Server-Sent Events (messages: /asyncapi.json; the WebSocket /v1/stream carries the same)',
          parameters: [
            { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'feed_id',
              in: 'query',
              schema: { type: 'string' },
              description: 'The feedId of a served first page; without it the stream serves one',
            },
            {
              name: 'cursor',
              in: 'query',
              schema: { type: 'string' },
              description: "A later page's nextCursor: items before it were served too",
            },
            {
              name: 'token',
              in: 'query',
              schema: { type: 'string' },
              description: "The user's token (EventSource cannot send headers); or Authorization: Bearer",
            },
            {
              name: 'Last-Event-ID',
              in: 'header',
              schema: { type: 'integer', minimum: 0 },
              description: 'The last seq received: missed events are replayed, or reset sent',
            },
          ],
          responses: {
            200: {
              description: 'An event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            400: errorResponse,
            401: errorResponse,
            403: errorResponse,
            404: errorResponse,
          },
        },
      },
      '/v1/trending': {
        get: {
          summary: 'Trending open markets',
          parameters: [
            categoryParam,
            userIdParam,
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
          ],
          responses: {
            200: {
              description:
                '{ category: [names], items: [MarketCard & { score }] }, and a feedId when userId is given',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      category: { type: 'array', items: { type: 'string' } },
                      feedId: { type: 'string', description: 'Only when userId is given' },
                      items: { type: 'array', items: { $ref: '#/components/schemas/FeedItem' } },
                    },
                  },
                },
              },
            },
            400: errorResponse,
          },
        },
      },
      '/v1/categories': {
        get: {
          summary: 'Every known category with its number of open markets, most first',
          responses: { 200: json('Categories', 'Categories') },
        },
      },
      '/v1/markets/{ticker}': {
        get: {
          summary: 'One market in any status, with its event and series titles',
          parameters: [{ name: 'ticker', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('MarketDetails', 'The market'), 404: errorResponse },
        },
      },
      '/v1/markets/{ticker}/similar': {
        get: {
          summary:
            'Open markets similar to this one: by the active model (source "model"), else by co-interaction',
          parameters: [
            { name: 'ticker', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
            },
            userIdParam,
          ],
          responses: {
            200: {
              description:
                '{ ticker, source, model, items: [MarketCard & { score }] }, and a feedId when userId is given',
            },
            404: { description: 'Unknown market' },
          },
        },
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
      '/v1/models': {
        get: {
          summary: 'Model versions, newest first, and the active one',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', enum: ['candidate', 'active', 'rejected', 'retired', 'failed'] },
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          ],
          responses: { 200: json('ModelList', 'Models'), 400: errorResponse, 401: errorResponse },
        },
      },
      '/v1/reports/daily': {
        get: {
          summary: 'Daily reports: per day, newest first, its versions (restatements) and their status',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
            },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            200: { description: '{ days: [{ date, latestVersion, status, versions: [...] }] }' },
            400: errorResponse,
            401: errorResponse,
          },
        },
      },
      '/v1/reports/daily/{date}': {
        get: {
          summary:
            "A day's reconciled report: attributed rows, organic, total, tie-out and exceptions (docs/reports.md)",
          security: [{ bearer: [] }],
          parameters: [
            { name: 'date', in: 'path', required: true, schema: { type: 'string', format: 'date' } },
            {
              name: 'version',
              in: 'query',
              description: 'default: the latest',
              schema: { type: 'integer', minimum: 1 },
            },
            {
              name: 'format',
              in: 'query',
              schema: { type: 'string', enum: ['json', 'csv'], default: 'json' },
            },
          ],
          responses: {
            200: { description: 'The report (JSON), or its rows and tie-out lines (text/csv)' },
            400: errorResponse,
            401: errorResponse,
            404: errorResponse,
          },
        },
      },
      '/v1/models/{version}': {
        get: {
          summary: 'One model version with its metrics and gate decision',
          security: [{ bearer: [] }],
          parameters: [versionParam],
          responses: { 200: json('Model', 'The model'), 401: errorResponse, 404: errorResponse },
        },
      },
      '/v1/models/{version}/promote': {
        post: {
          summary: 'Make a model active by hand, bypassing the promotion gate',
          description:
            'For candidate, rejected or retired models whose artifact loads; the active model is retired and API replicas reload.',
          security: [{ bearer: [] }],
          parameters: [versionParam],
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } },
              },
            },
          },
          responses: {
            200: json('Model', 'The promoted model'),
            401: errorResponse,
            404: errorResponse,
            409: errorResponse,
            422: errorResponse,
          },
        },
      },
      '/v1/models/rollback': {
        post: {
          summary: 'Make a previously active model active again (by default the one before the current one)',
          security: [{ bearer: [] }],
          requestBody: {
            content: {
              'application/json': { schema: { type: 'object', properties: { version: { type: 'string' } } } },
            },
          },
          responses: {
            200: json('Model', 'The model now active'),
            401: errorResponse,
            404: errorResponse,
            409: errorResponse,
            422: errorResponse,
          },
        },
      },
      '/v1/users/{userId}/feed/preview': {
        get: {
          summary: 'The first page a ranker would serve the user now (assigns nobody, logs no exposure)',
          security: [{ bearer: [] }],
          parameters: [
            { name: 'userId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'ranker', in: 'query', required: true, schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
          ],
          responses: {
            200: {
              description:
                '{ userId, ranker, model, items: [{ ticker, title, category, score, reasons, … }] }',
            },
            400: errorResponse,
            401: errorResponse,
          },
        },
      },
      '/v1/experiments/{key}': {
        put: {
          summary:
            'Create or replace a ranker experiment (a GrowthBook experiment rule of the feed-ranker feature)',
          description:
            'Checked like the definition files; a 422 names each bad field as body.<field>. Stored for every replica; 409 when a GrowthBook server owns the definitions.',
          security: [{ bearer: [] }],
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            200: { description: 'The experiment, replaced' },
            201: { description: 'The experiment, created' },
            401: errorResponse,
            409: errorResponse,
            422: errorResponse,
          },
        },
      },
      '/dashboard/login': {
        post: {
          summary:
            'Log in to the dashboard with an API key: sets an HttpOnly, SameSite=Strict session cookie; API calls with it also send X-CSRF-Token',
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string' } } },
              },
            },
          },
          responses: {
            200: { description: '{ csrfToken, expiresAt }' },
            401: errorResponse,
            422: errorResponse,
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness per dependency',
          responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Metrics' } } } },
    },
  };
}
