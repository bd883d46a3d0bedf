import { z } from 'zod';
import {
  eventInput,
  interactionInput,
  marketInput,
  marketPatch,
  seriesInput,
  userInput,
} from '../../domain/schemas.js';
import { ERROR_CODES } from '../../errors.js';
import { STATUS_BY_CODE } from '../errors.js';

/** A zod schema as the OpenAPI 3.0 schema of what a client sends (its input side). */
export const inputSchema = (s: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as Record<
    string,
    unknown
  >;

const schema = inputSchema;

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
const object = (properties: Record<string, unknown>, description?: string) => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const dateTime = { type: 'string', format: 'date-time' };
const feedIdForUser = {
  type: 'string',
  description: 'Only when userId is given: impressions and clicks name it for attribution',
};

/** Error codes by the status they are answered with (src/api/errors.ts), for the Error schema's doc. */
const codesByStatus = Object.entries(STATUS_BY_CODE)
  .map(([code, status]) => `${status} ${code}`)
  .join(', ');

const schemas: Record<string, Record<string, unknown>> = {
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
          required: ['name', 'openMarkets'],
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
          rule: {
            type: 'string',
            enum: ['lead', 'not-worse'],
            description:
              '`lead`: the candidate had to beat the active model of its kind and the best baseline (the two-tower); `not-worse`: it had not to be significantly worse than the active model of its kind (kinds served to experiment arms only: ease, bpr-mf)',
          },
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
      active: {
        type: 'string',
        nullable: true,
        description: "The default ranker's kind's (two-tower) active version",
      },
      activeByKind: {
        type: 'object',
        description: 'The active version of each kind that has one (two-tower, ease, bpr-mf)',
        additionalProperties: { type: 'string' },
      },
      models: { type: 'array', items: { $ref: '#/components/schemas/Model' } },
    },
  },
  MarketScore: {
    type: 'object',
    description: 'A market card with a score (trending, similar markets)',
    properties: { ...marketCardProperties, score: { type: 'number' } },
  },
  Trending: object({
    category: { type: 'array', items: { type: 'string' }, description: 'The category filter applied' },
    feedId: feedIdForUser,
    items: { type: 'array', items: ref('MarketScore') },
  }),
  Similar: object({
    ticker: { type: 'string' },
    source: {
      type: 'string',
      enum: ['model', 'co-interaction'],
      description: "The active model's market vectors, else co-interaction",
    },
    model: { type: 'string', nullable: true },
    feedId: feedIdForUser,
    items: { type: 'array', items: ref('MarketScore') },
  }),
  FeedPreview: object(
    {
      userId: { type: 'string' },
      ranker: { type: 'string' },
      model: { type: 'string', nullable: true },
      items: { type: 'array', items: ref('FeedItem') },
    },
    'The first page a ranker would serve now; nothing stored, nobody assigned',
  ),
  JobTriggered: object({
    id: { type: 'string' },
    name: { type: 'string' },
    deduplicated: {
      type: 'boolean',
      description:
        'An identical job (same name and payload) was already waiting or running: this trigger joined it',
    },
    status: { type: 'string', description: 'Where to follow it (GET)' },
  }),
  JobStatus: object({
    id: { type: 'string' },
    name: { type: 'string' },
    state: { type: 'string', enum: ['waiting', 'delayed', 'active', 'completed', 'failed', 'unknown'] },
    progress: {},
    attemptsMade: { type: 'integer' },
    result: {},
    error: { type: 'string' },
    createdAt: dateTime,
    finishedAt: dateTime,
  }),
  JobRuns: object({
    jobs: { type: 'array', items: { type: 'string' }, description: 'Every job that can be triggered' },
    runs: {
      type: 'array',
      items: { type: 'object', additionalProperties: true, description: 'A job_runs document' },
    },
  }),
  Experiment: {
    type: 'object',
    additionalProperties: true,
    properties: {
      key: { type: 'string' },
      feature: { type: 'string' },
      status: { type: 'string', enum: ['running', 'stopped'] },
      coverage: { type: 'number', minimum: 0, maximum: 1 },
      name: { type: 'string', nullable: true },
      hashAttribute: { type: 'string' },
      variations: {
        type: 'array',
        items: object({
          id: { type: 'string' },
          name: { type: 'string', nullable: true },
          ranker: {},
          weight: { type: 'number' },
        }),
      },
      condition: {},
      namespace: { type: 'array', nullable: true, items: {} },
      source: { type: 'string' },
      rule: { description: 'The GrowthBook experiment rule itself' },
    },
  },
  ExperimentList: object({
    experiments: { type: 'array', items: ref('Experiment') },
    editable: {
      type: 'boolean',
      description: 'Whether experiments may be edited here (not GrowthBook-owned)',
    },
    growthbookUrl: { type: 'string', nullable: true },
    rankers: { type: 'array', items: { type: 'string' } },
  }),
  ExperimentResults: {
    type: 'object',
    additionalProperties: true,
    description:
      'Per variation: exposed users, CTR, trade conversion, trades per user, lift with confidence intervals, chance to beat control; the sample-ratio check; daily series',
    properties: { experiment: ref('Experiment'), daily: {} },
  },
  ReportDays: object({
    days: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          date: { type: 'string', format: 'date' },
          latestVersion: { type: 'integer' },
          status: { type: 'string' },
          versions: { type: 'array', items: { type: 'object', additionalProperties: true } },
        },
      },
    },
  }),
  DailyReport: {
    type: 'object',
    additionalProperties: true,
    description:
      "A day's reconciled report, money as exact decimal strings: attributed rows, organic, total, tie-out, exceptions with reason codes, version (docs/reports.md)",
    properties: {
      date: { type: 'string', format: 'date' },
      version: { type: 'integer' },
    },
  },
  Health: object({ status: { type: 'string', enum: ['ok'] } }),
  Readiness: object({
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      additionalProperties: object({
        ok: { type: 'boolean' },
        degraded: { type: 'string' },
        error: { type: 'string' },
      }),
    },
  }),
  DashboardSession: object({
    loggedIn: { type: 'boolean' },
    csrfToken: { type: 'string', description: 'Send as X-CSRF-Token with the session cookie' },
    expiresAt: dateTime,
  }),
  Error: object({
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES], description: `By status: ${codesByStatus}` },
        message: { type: 'string' },
        details: {
          description:
            'For bad input, one entry per offending field (`path` names it, `index` its item in a batch); for rate limits, `{ limit, retryAfterSeconds }`',
          oneOf: [
            {
              type: 'array',
              items: object({
                path: { type: 'string' },
                message: { type: 'string' },
                index: { type: 'integer' },
                reference: { type: 'boolean' },
              }),
            },
            { type: 'object', additionalProperties: true },
          ],
        },
      },
    },
  }),
};

/** Properties sent only in some cases (the rest of an ALWAYS_WHOLE schema is always there). */
const SOMETIMES: Record<string, string[]> = { Trending: ['feedId'], Similar: ['feedId'] };

/** Responses the API always sends whole: every property is present (null where unknown). */
const ALWAYS_WHOLE = [
  'UpsertResult',
  'InteractionResult',
  'MarketCard',
  'MarketDetails',
  'FeedItem',
  'MarketScore',
  'Categories',
  'Feed',
  'Trending',
  'Similar',
  'FeedPreview',
  'JobTriggered',
  'ModelList',
  'ExperimentList',
  'Health',
  'Readiness',
];

/** Schemas of request items and responses, by name (`#/components/schemas/<name>`). */
export const componentSchemas: Record<string, unknown> = Object.fromEntries(
  Object.entries(schemas).map(([name, schema]) =>
    ALWAYS_WHOLE.includes(name) && schema.properties
      ? [
          name,
          {
            ...schema,
            required: Object.keys(schema.properties).filter((key) => !SOMETIMES[name]?.includes(key)),
          },
        ]
      : [name, schema],
  ),
);

const errorContent = { 'application/json': { schema: ref('Error') } };
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/** Shared responses (`#/components/responses/<name>`). */
export const componentResponses = {
  Error: { description: 'Error', content: errorContent },
  RateLimited: {
    description:
      'rate_limited: too many writes for this API key or address, or too many wrong keys from this address',
    headers: retryAfter,
    content: errorContent,
  },
  Unavailable: {
    description:
      'unavailable: the replica is shedding load (more than SIBYL_MAX_IN_FLIGHT requests in flight), shutting down, or a dependency (store, job queue) is unreachable',
    headers: retryAfter,
    content: errorContent,
  },
};
