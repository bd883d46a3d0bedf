import type { z } from 'zod';
import type { interactionInput } from '../domain/schemas.js';
import type { FeedResponse } from '../feed/feed-service.js';

/**
 * A typed client of Sibyl's HTTP API, for frontends and for the simulated traders (`sibyl traffic`):
 * the feed and its pages, and the interactions a user's session produces.
 */

/** An interaction as the API takes it (wire form: `ts` an ISO-8601 string). */
export type InteractionPost = z.input<typeof interactionInput>;
export type { FeedItem, FeedResponse } from '../feed/feed-service.js';

export interface InteractionsResult {
  received: number;
  inserted: number;
  duplicates: number;
}

export interface SibylClientOptions {
  /** e.g. http://localhost:8080 */
  baseUrl: string;
  /** For write endpoints (`Authorization: Bearer <key>`). */
  apiKey?: string;
  /** @defaultValue 10000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
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

export class SibylClient {
  constructor(private readonly options: SibylClientOptions) {}

  /** A feed page: the first (no cursor) ranks and assigns the user's experiment arm; later ones page its snapshot. */
  getFeed(
    userId: string,
    query: { limit?: number; cursor?: string; categories?: string[] } = {},
  ): Promise<FeedResponse> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.categories?.length) params.set('category', query.categories.join(','));
    const qs = params.size ? `?${params}` : '';
    return this.request<FeedResponse>('GET', `/v1/users/${encodeURIComponent(userId)}/feed${qs}`);
  }

  /** Posts a batch (all stored or none; idempotent by `eventId`, so a failed batch can be resent). */
  postInteractions(interactions: InteractionPost[]): Promise<InteractionsResult> {
    return this.request<InteractionsResult>('POST', '/v1/interactions', { interactions });
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const res = await (this.options.fetch ?? fetch)(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.ok) return parsed as T;
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new SibylApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? text.slice(0, 200),
      error?.details,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
}
