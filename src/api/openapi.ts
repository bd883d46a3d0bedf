import { z } from 'zod';
import { eventInput, interactionInput, marketInput, seriesInput, userInput } from '../domain/schemas.js';

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
    422: errorResponse,
  },
});

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
        FeedItem: {
          type: 'object',
          properties: {
            ticker: { type: 'string' },
            eventTicker: { type: 'string' },
            title: { type: 'string' },
            category: { type: 'string' },
            score: { type: 'number' },
            reasons: { type: 'array', items: { type: 'string' } },
          },
        },
        Feed: {
          type: 'object',
          properties: {
            userId: { type: 'string' },
            feedId: { type: 'string' },
            ranker: { type: 'string' },
            experiment: {
              type: 'object',
              nullable: true,
              properties: { key: { type: 'string' }, variation: { type: 'string' } },
            },
            items: { type: 'array', items: { $ref: '#/components/schemas/FeedItem' } },
            nextCursor: { type: 'string', nullable: true },
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
            {
              name: 'category',
              in: 'query',
              schema: { type: 'array', items: { type: 'string' } },
              description: 'Repeat or comma-separate for several',
            },
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
      '/v1/trending': {
        get: {
          summary: 'Trending open markets',
          parameters: [{ name: 'category', in: 'query', schema: { type: 'string' } }],
          responses: { 200: { description: 'Trending markets' } },
        },
      },
      '/v1/series': { put: batchWrite('series', 'Series', 'UpsertResult', 'Upsert series') },
      '/v1/events': { put: batchWrite('events', 'Event', 'UpsertResult', 'Upsert events') },
      '/v1/markets': { put: batchWrite('markets', 'Market', 'UpsertResult', 'Upsert markets') },
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
