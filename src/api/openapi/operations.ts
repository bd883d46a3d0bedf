import type { z } from 'zod';
import { inputSchema } from './components.js';

/**
 * Who may call an operation: `open`; `api-key` (a key or a dashboard session; rate-limited);
 * `user` (that user's token or an API key; `user-optional` when anonymous reads are allowed, as
 * feeds are unless SIBYL_USER_TOKEN_SECRET is set); `metrics` (METRICS_API_KEY when set).
 */
export type Access = 'open' | 'api-key' | 'user' | 'user-optional' | 'metrics';

export interface OperationSpec {
  summary: string;
  description?: string;
  access: Access;
  /** The zod schemas the route validates with: the document's parameters and body come from them. */
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** A body described by a component instead (batch items are validated per item, see ingest). */
  bodySchema?: Record<string, unknown>;
  /** Extra parameters no schema states (headers). */
  extraParameters?: Record<string, unknown>[];
  ok: {
    status?: number;
    description: string;
    /** A component schema name, or an inline schema. */
    schema?: string | Record<string, unknown>;
    contentType?: string;
  };
  /** Other 2xx answers (a PUT that creates answers 201). */
  alsoOk?: Record<number, { description: string; schema: string }>;
  /** Statuses the handler itself answers with (404, 409, 410…); input and access ones are added. */
  errors?: number[];
  /** Never shed by load shedding (health checks, metrics, event streams). @defaultValue false */
  neverShed?: boolean;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorRef = { $ref: '#/components/responses/Error' };

const SECURITY: Record<Access, Record<string, string[]>[] | undefined> = {
  open: undefined,
  'api-key': [{ apiKey: [] }, { dashboardSession: [] }],
  user: [{ userToken: [] }, { apiKey: [] }],
  'user-optional': [{ userToken: [] }, { apiKey: [] }, {}],
  metrics: [{ metricsKey: [] }, {}],
};

/** The parameters of a zod object schema of path or query values, each with its JSON schema. */
function parameters(where: 'path' | 'query', schema: z.ZodType | undefined): Record<string, unknown>[] {
  if (!schema) return [];
  const json = inputSchema(schema) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

const requiredFields = (schema: Record<string, unknown>) =>
  ((schema as { required?: string[] }).required ?? []).length;

const content = (type: string, schema: string | Record<string, unknown> | undefined) =>
  schema === undefined
    ? {}
    : { content: { [type]: { schema: typeof schema === 'string' ? ref(schema) : schema } } };

/** One OpenAPI operation from the route's own schemas, with the error answers its access and input imply. */
export function operation(spec: OperationSpec): Record<string, unknown> {
  const hasBody = spec.body !== undefined || spec.bodySchema !== undefined;
  const statuses = new Set(spec.errors ?? []);
  if (spec.params || spec.query) statuses.add(400);
  // Malformed JSON 400, oversized 413, not JSON 415, invalid fields 422.
  if (hasBody) [400, 413, 415, 422].forEach((s) => statuses.add(s));
  if (spec.access !== 'open') statuses.add(401);
  if (spec.access === 'user' || spec.access === 'user-optional') statuses.add(403);

  const responses: Record<string, unknown> = {
    [spec.ok.status ?? 200]: {
      description: spec.ok.description,
      ...content(spec.ok.contentType ?? 'application/json', spec.ok.schema),
    },
  };
  for (const [status, other] of Object.entries(spec.alsoOk ?? {}))
    responses[status] = { description: other.description, ...content('application/json', other.schema) };
  for (const status of [...statuses].sort()) responses[status] = errorRef;
  // Wrong keys are limited per address, writes per key and address.
  if (spec.access === 'api-key') responses[429] = { $ref: '#/components/responses/RateLimited' };
  if (!spec.neverShed) responses[503] = { $ref: '#/components/responses/Unavailable' };

  const security = SECURITY[spec.access];
  const params = [
    ...parameters('path', spec.params),
    ...parameters('query', spec.query),
    ...(spec.extraParameters ?? []),
  ];
  return {
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(security ? { security } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(hasBody
      ? {
          requestBody: {
            // Omitted bodies are read as `{}`: one is required only when some field is.
            required: requiredFields(spec.bodySchema ?? inputSchema(spec.body!)) > 0,
            content: {
              'application/json': { schema: spec.bodySchema ?? inputSchema(spec.body!) },
            },
          },
        }
      : {}),
    responses,
  };
}
