import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/sibyl-api.js';

/**
 * The typed client of Sibyl's HTTP API, for frontends, servers, the simulated traders (`sibyl
 * traffic`) and the benchmarks. Its types are generated from the OpenAPI document the server
 * serves (`npm run client:types`), and calls go through `openapi-fetch`, so a route, parameter or
 * field the server does not have is a compile error here. Published as `sibyl/client`.
 */

export type { components, paths } from './generated/sibyl-api.js';
/** Every request and response schema of the API, by name. */
export type Schemas = components['schemas'];
export type FeedResponse = Schemas['Feed'];
export type FeedItem = Schemas['FeedItem'];
/** An interaction as the API takes it (`ts` an ISO-8601 string). */
export type InteractionPost = Schemas['Interaction'];
export type InteractionsResult = Schemas['InteractionResult'];
export type ApiErrorBody = Schemas['Error'];

export interface SibylClientOptions {
  /** e.g. http://localhost:8080 */
  baseUrl: string;
  /** A key from SIBYL_API_KEYS (servers): writes, admin, any user's feed. */
  apiKey?: string;
  /** Or a user token (browsers and apps): that user's feed and stream. */
  userToken?: string;
  /** Each request is aborted after this long. @defaultValue 10000 */
  timeoutMs?: number;
  fetch?: (request: Request) => Promise<Response>;
}

export type SibylApi = Client<paths>;

/**
 * The raw typed client: `api.GET('/v1/users/{userId}/feed', { params: { path: { userId }, query: { limit: 20 } } })`
 * resolves to `{ data, error, response }` (data typed by the route's 200 schema, error by its error
 * schema). `unwrap` turns that into the data or a thrown SibylApiError.
 */
export function createSibylApi(options: SibylClientOptions): SibylApi {
  const credential = options.apiKey ?? options.userToken;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = options.fetch ?? ((request: Request) => fetch(request));
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: credential ? { Authorization: `Bearer ${credential}` } : {},
    fetch: (request) =>
      send(
        new Request(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) }),
      ),
  });
}

/** An answer other than 2xx, with the API's error body (`{ error: { code, message, details } }`). */
export class SibylApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    /** Seconds, from `Retry-After` (503, 429). */
    readonly retryAfter?: number,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** The data of a 2xx answer, else a SibylApiError from the error body and Retry-After. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { response } = result;
  if (response.ok) return result.data as T;
  const body = (result.error ?? undefined) as Partial<ApiErrorBody> | string | undefined;
  const error = typeof body === 'object' ? body.error : undefined;
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new SibylApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? (typeof body === 'string' ? body.slice(0, 200) : response.statusText),
    error?.details,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** The calls a feed client makes most, on the typed client, answering data or throwing SibylApiError. */
export class SibylClient {
  /** Every route, typed (see createSibylApi). */
  readonly api: SibylApi;

  constructor(options: SibylClientOptions) {
    this.api = createSibylApi(options);
  }

  /** A feed page: the first (no cursor) ranks and assigns the user's experiment arm; later ones page its snapshot. */
  async getFeed(
    userId: string,
    query: { limit?: number; cursor?: string; categories?: string[] } = {},
  ): Promise<FeedResponse> {
    return unwrap(
      await this.api.GET('/v1/users/{userId}/feed', {
        params: {
          path: { userId },
          query: {
            ...(query.limit !== undefined ? { limit: query.limit } : {}),
            ...(query.cursor ? { cursor: query.cursor } : {}),
            ...(query.categories?.length ? { category: query.categories.join(',') } : {}),
          },
        },
      }),
    );
  }

  /** Posts a batch (all stored or none; idempotent by `eventId`, so a failed batch can be resent). */
  async postInteractions(interactions: InteractionPost[]): Promise<InteractionsResult> {
    return unwrap(await this.api.POST('/v1/interactions', { body: { interactions } }));
  }
}

/** `import { createSibylClient } from 'sibyl/client'`: the convenience client with the typed one as `.api`. */
export const createSibylClient = (options: SibylClientOptions) => new SibylClient(options);
