// Generated from the OpenAPI document (src/api/openapi) by `npm run client:types`: do not edit.
export interface paths {
  '/v1/users/{userId}/feed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Ranked, personalized feed of open markets
     * @description Needs the user’s token or an API key once SIBYL_USER_TOKEN_SECRET is set (unless FEED_REQUIRE_USER_TOKEN=false); anonymous callers then get no reasons naming the user’s history. Targeting attributes may be passed as `attr.<name>=<value>`. An anonymous request for a never-seen user id is served outside experiments.
     */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description nextCursor of the previous page */
          cursor?: string;
          /** @description Repeat or comma-separate for several (any case). An unknown category is a 400 whose details name the known ones (GET /v1/categories) */
          category?: string | string[];
        };
        header?: never;
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Feed'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        410: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{userId}/feed/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live updates of a served feed as Server-Sent Events (messages: /asyncapi.json; the WebSocket /v1/stream carries the same) */
    get: {
      parameters: {
        query?: {
          /** @description The feedId of a served first page; without it the stream serves one */
          feed_id?: string;
          /** @description A later page's nextCursor: the items before it were served too (pushes cover them) */
          cursor?: string;
          /** @description The last seq received: the events missed since are sent first */
          resume_from?: number;
          /** @description The user's token, for EventSource (which cannot send headers); or Authorization: Bearer */
          token?: string;
          /** @description Where to resume when the Last-Event-ID header cannot be set (a first connection) */
          last_event_id?: number;
        };
        header?: {
          /** @description The last seq received: missed events are replayed, or reset sent */
          'Last-Event-ID'?: number;
        };
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description An event stream */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream': string;
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{userId}/feed/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The first page a ranker would serve the user now (assigns nobody, logs no exposure) */
    get: {
      parameters: {
        query: {
          ranker: string;
          limit?: number;
        };
        header?: never;
        path: {
          userId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The preview */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['FeedPreview'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/trending': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Trending open markets (with userId, a feedId for attributing what the user does with them)
     * @description With userId, the list is recorded as served to that user: once SIBYL_USER_TOKEN_SECRET is set, that needs the user’s token or an API key (unless FEED_REQUIRE_USER_TOKEN=false).
     */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description Repeat or comma-separate for several (any case). An unknown category is a 400 whose details name the known ones (GET /v1/categories) */
          category?: string | string[];
          /** @description The user shown the list: the response gets a feedId for their impressions and clicks */
          userId?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Trending markets */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Trending'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/categories': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every known category with its number of open markets, most first */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Categories */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Categories'];
          };
        };
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/markets/{ticker}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One market in any status, with its event and series titles */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          ticker: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The market */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['MarketDetails'];
          };
        };
        400: components['responses']['Error'];
        404: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/markets/{ticker}/similar': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Open markets similar to this one: by the active model (source "model"), else by co-interaction (with userId, a feedId for attribution)
     * @description With userId, the list is recorded as served to that user: once SIBYL_USER_TOKEN_SECRET is set, that needs the user’s token or an API key (unless FEED_REQUIRE_USER_TOKEN=false).
     */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description The user shown the list: the response gets a feedId for their impressions and clicks */
          userId?: string;
        };
        header?: never;
        path: {
          ticker: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Similar markets */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Similar'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/series': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Upsert series
     * @description All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At most INGEST_MAX_BATCH items */
            series: components['schemas']['Series'][];
          };
        };
      };
      responses: {
        /** @description Stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['UpsertResult'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Upsert events
     * @description All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At most INGEST_MAX_BATCH items */
            events: components['schemas']['Event'][];
          };
        };
      };
      responses: {
        /** @description Stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['UpsertResult'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/markets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Upsert markets: new ones whole, stored ones by the fields sent, in our shape or Kalshi's
     * @description All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At most INGEST_MAX_BATCH items */
            markets: components['schemas']['MarketWrite'][];
          };
        };
      };
      responses: {
        /** @description Stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['UpsertResult'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Upsert users and their targeting attributes
     * @description All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At most INGEST_MAX_BATCH items */
            users: components['schemas']['User'][];
          };
        };
      };
      responses: {
        /** @description Stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['UpsertResult'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/interactions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Record interactions (idempotent by eventId)
     * @description All-or-nothing: one invalid item rejects the batch (422), and error.details lists every offending item and field.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description At most INGEST_MAX_BATCH items */
            interactions: components['schemas']['Interaction'][];
          };
        };
      };
      responses: {
        /** @description Stored */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['InteractionResult'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Trigger a background job (deduplicated: a waiting or running job of the same name and payload is joined)
     * @description The body is the job’s payload (e.g. `{ "windowDays": 30 }` for train), validated before it is queued. 503 while the job queue is unreachable.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json':
            | Record<string, never>
            | Record<string, never>
            | Record<string, never>
            | {
                chainId?: string;
                kind?: string;
                hyperparameters?: {
                  [key: string]: unknown;
                };
                seed?: number;
                windowDays?: number;
                testFraction?: number;
              }
            | {
                chainId?: string;
                version?: string;
              }
            | {
                chainId?: string;
                version?: string;
              }
            | {
                date?: string;
              }
            | {
                chainId?: string;
              };
        };
      };
      responses: {
        /** @description Queued */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['JobTriggered'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A triggered job’s state, progress and result (kept 7 days) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The job */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['JobStatus'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/job-runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recent job runs, newest first, and the names of jobs that can be triggered */
    get: {
      parameters: {
        query?: {
          name?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Runs */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['JobRuns'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Model versions, newest first, and the active one of each kind */
    get: {
      parameters: {
        query?: {
          status?: 'candidate' | 'active' | 'rejected' | 'retired' | 'failed';
          /** @description A model kind (two-tower, ease, bpr-mf) */
          kind?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Models */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ModelList'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{version}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One model version with its metrics and gate decision */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          version: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The model */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Model'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{version}/promote': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Make a model active by hand, bypassing the promotion gate
     * @description For candidate, rejected or retired models whose artifact loads; the active model of the same kind is retired (other kinds' stay) and API replicas reload.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          version: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            reason?: string;
          };
        };
      };
      responses: {
        /** @description The promoted model */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Model'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/rollback': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make a previously active model active again (by default the one of `kind`, two-tower unless given, active before the current one); other kinds are untouched */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            version?: string;
            /** @description A model kind (two-tower, ease, bpr-mf) */
            kind?: string;
          };
        };
      };
      responses: {
        /** @description The model now active */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Model'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/reports/daily': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Daily reports: per day, newest first, its versions (restatements) and their status */
    get: {
      parameters: {
        query?: {
          limit?: number;
          from?: string;
          to?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The days */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ReportDays'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/reports/daily/{date}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A day's reconciled report: attributed rows, organic, total, tie-out and exceptions (docs/reports.md) */
    get: {
      parameters: {
        query?: {
          /** @description Default: the latest */
          version?: number;
          format?: 'json' | 'csv';
        };
        header?: never;
        path: {
          date: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The report (JSON), or with ?format=csv its rows and tie-out lines */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['DailyReport'];
            'text/csv': string;
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/experiments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Experiments with their definitions, whether they may be edited here, and the rankers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Experiments */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ExperimentList'];
          };
        };
        401: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/experiments/{key}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One experiment’s definition */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The experiment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Experiment'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    /**
     * Create or replace a ranker experiment (a GrowthBook experiment rule of the feed-ranker feature)
     * @description Checked like the definition files; a 422 names each bad field as body.<field>. Stored for every replica; 409 when a GrowthBook server owns the definitions.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      responses: {
        /** @description The experiment, replaced */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Experiment'];
          };
        };
        /** @description The experiment, created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Experiment'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/experiments/{key}/coverage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Start (coverage > 0) or stop (0) an experiment for every replica */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            coverage: number;
          };
        };
      };
      responses: {
        /** @description The experiment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Experiment'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/experiments/{key}/results': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Results per variation from exposures and interactions */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Results */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ExperimentResults'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['RateLimited'];
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/dashboard/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Log in to the dashboard with an API key: sets an HttpOnly, SameSite=Strict session cookie; API calls with it also send X-CSRF-Token */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            apiKey: string;
          };
        };
      };
      responses: {
        /** @description Logged in */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['DashboardSession'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/dashboard/session': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether this browser is logged in (and its CSRF token) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The session */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['DashboardSession'];
          };
        };
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/dashboard/logout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Log out: clears the session cookie (needs the session and its X-CSRF-Token) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Logged out */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              loggedOut?: boolean;
            };
          };
        };
        401: components['responses']['Error'];
        503: components['responses']['Unavailable'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Alive */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Health'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness per dependency, each given at most a second */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Ready (possibly degraded) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Readiness'];
          };
        };
        /** @description Not ready */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Readiness'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Metrics */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/plain': string;
          };
        };
        401: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description OpenAPI 3.0 */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              [key: string]: unknown;
            };
          };
        };
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/asyncapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The push streams’ contract (AsyncAPI) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description AsyncAPI 3 */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              [key: string]: unknown;
            };
          };
        };
        503: components['responses']['Unavailable'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Series: {
      ticker: string;
      title: string;
      category: string;
      tags?: string[];
      frequency?: string;
    };
    Event: {
      eventTicker: string;
      seriesTicker: string;
      title: string;
      subtitle?: string;
      category?: string;
      mutuallyExclusive?: boolean;
    };
    Market: {
      ticker: string;
      eventTicker: string;
      seriesTicker?: string;
      title: string;
      subtitle?: string;
      category?: string;
      tags?: string[];
      /** @enum {string} */
      status: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** Format: date-time */
      openTime?: string;
      /** Format: date-time */
      closeTime: string;
      /** Format: date-time */
      expirationTime?: string;
      yesBid?: number;
      yesAsk?: number;
      lastPrice?: number;
      volume?: number;
      volume24h?: number;
      openInterest?: number;
      liquidity?: number;
    };
    /** @description A change to a stored market: its ticker and the fields to change; the others keep their stored values */
    MarketPatch: {
      ticker: string;
      eventTicker?: string;
      seriesTicker?: string;
      title?: string;
      subtitle?: string;
      category?: string;
      tags?: string[];
      /** @enum {string} */
      status?: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** Format: date-time */
      openTime?: string;
      /** Format: date-time */
      closeTime?: string;
      /** Format: date-time */
      expirationTime?: string;
      yesBid?: number;
      yesAsk?: number;
      lastPrice?: number;
      volume?: number;
      volume24h?: number;
      openInterest?: number;
      liquidity?: number;
    };
    /** @description A market object of Kalshi's Trade API v2, as `sibyl import` takes it: prices as `*_dollars` strings or integer cents, statuses initialized/active/inactive/closed/determined/finalized; an empty title takes its event's */
    KalshiMarket: {
      [key: string]: unknown;
    };
    MarketWrite:
      | components['schemas']['Market']
      | components['schemas']['MarketPatch']
      | components['schemas']['KalshiMarket'];
    User: {
      userId: string;
      attributes?: unknown;
    };
    Interaction: {
      eventId: string;
      userId: string;
      ticker: string;
      /** @enum {string} */
      type: 'impression' | 'view' | 'click' | 'watch' | 'unwatch' | 'trade' | 'dismiss';
      /** Format: date-time */
      ts: string;
      /** @enum {string} */
      side?: 'yes' | 'no';
      contracts?: string | number;
      price?: string | number;
      feedId?: string;
      position?: number;
    };
    UpsertResult: {
      received: number;
      inserted: number;
      updated: number;
    };
    InteractionResult: {
      received: number;
      inserted: number;
      duplicates: number;
    };
    /** @description What a market card shows; absent values are null */
    MarketCard: {
      ticker: string;
      eventTicker: string;
      seriesTicker: string | null;
      title: string;
      /** @description The outcome, e.g. "Above 4.25%" */
      subtitle: string | null;
      eventTitle: string | null;
      seriesTitle: string | null;
      category: string;
      /** @enum {string} */
      status: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** @description Decimal dollars, e.g. "0.4200" */
      yesBid: string | null;
      /** @description Decimal dollars, e.g. "0.4400" */
      yesAsk: string | null;
      /** @description Decimal dollars of the last trade */
      lastPrice: string | null;
      /** Format: date-time */
      closeTime: string;
      volume24h: number;
    };
    MarketDetails: {
      ticker: string;
      eventTicker: string;
      seriesTicker: string | null;
      title: string;
      /** @description The outcome, e.g. "Above 4.25%" */
      subtitle: string | null;
      eventTitle: string | null;
      seriesTitle: string | null;
      category: string;
      /** @enum {string} */
      status: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** @description Decimal dollars, e.g. "0.4200" */
      yesBid: string | null;
      /** @description Decimal dollars, e.g. "0.4400" */
      yesAsk: string | null;
      /** @description Decimal dollars of the last trade */
      lastPrice: string | null;
      /** Format: date-time */
      closeTime: string;
      volume24h: number;
      /** Format: date-time */
      openTime: string | null;
      /** Format: date-time */
      expirationTime: string | null;
      volume: number | null;
      openInterest: number | null;
    };
    FeedItem: {
      ticker: string;
      eventTicker: string;
      seriesTicker: string | null;
      title: string;
      /** @description The outcome, e.g. "Above 4.25%" */
      subtitle: string | null;
      eventTitle: string | null;
      seriesTitle: string | null;
      category: string;
      /** @enum {string} */
      status: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** @description Decimal dollars, e.g. "0.4200" */
      yesBid: string | null;
      /** @description Decimal dollars, e.g. "0.4400" */
      yesAsk: string | null;
      /** @description Decimal dollars of the last trade */
      lastPrice: string | null;
      /** Format: date-time */
      closeTime: string;
      volume24h: number;
      /** @description The ranker's relevance of this market before re-ranking for diversity (at most N per event, spread across series and categories). The order of items is the ranking: scores need not decrease down the list, and are not comparable across rankers or feeds */
      score: number;
      /** @description Why it is here, most personal first. A reason naming a market the user engaged with ("Because you traded …") names one of the same event, series or category */
      reasons: string[];
    };
    Categories: {
      categories: {
        name: string;
        openMarkets: number;
      }[];
    };
    Feed: {
      userId: string;
      feedId: string;
      ranker: string;
      /** @description Version of the model that ranked this feed (null for rankers without one) */
      model: string | null;
      experiment: {
        key?: string;
        variation?: string;
      } | null;
      items: components['schemas']['FeedItem'][];
      nextCursor: string | null;
    };
    /** @description One model version of the registry */
    Model: {
      /** @example tt-20261123T010203Z-1a2b3c */
      version?: string;
      /** @example two-tower */
      kind?: string;
      /** @enum {string} */
      status?: 'candidate' | 'active' | 'rejected' | 'retired' | 'failed';
      dataWindow?: {
        /** Format: date-time */
        from?: string;
        /** Format: date-time */
        to?: string;
      };
      seed?: number;
      hyperparameters?: {
        [key: string]: unknown;
      };
      testFraction?: number;
      /** @description Per ranker on the evaluation split (`candidate`, `active`, each baseline): ndcg@K, recall@K, hr@K, mrr, coverage */
      metrics?: {
        [key: string]: {
          [key: string]: number;
        };
      };
      split?: {
        [key: string]: unknown;
      };
      comparedWith?: {
        version?: string;
        error?: string;
      };
      gate?: {
        /**
         * @description `lead`: the candidate had to beat the active model of its kind and the best baseline (the two-tower); `not-worse`: it had not to be significantly worse than the active model of its kind (kinds served to experiment arms only: ease, bpr-mf)
         * @enum {string}
         */
        rule?: 'lead' | 'not-worse';
        metric?: string;
        margin?: number;
        baseline?: string;
        /** @enum {string} */
        decision?: 'promote' | 'reject';
        reason?: string;
      };
      artifactDir?: string;
      /** Format: date-time */
      createdAt?: string;
      /** Format: date-time */
      trainedAt?: string;
      /** Format: date-time */
      promotedAt?: string;
      promotionReason?: string;
      error?: string;
    };
    ModelList: {
      /** @description The default ranker's kind's (two-tower) active version */
      active: string | null;
      /** @description The active version of each kind that has one (two-tower, ease, bpr-mf) */
      activeByKind: {
        [key: string]: string;
      };
      models: components['schemas']['Model'][];
    };
    /** @description A market card with a score (trending, similar markets) */
    MarketScore: {
      ticker: string;
      eventTicker: string;
      seriesTicker: string | null;
      title: string;
      /** @description The outcome, e.g. "Above 4.25%" */
      subtitle: string | null;
      eventTitle: string | null;
      seriesTitle: string | null;
      category: string;
      /** @enum {string} */
      status: 'unopened' | 'open' | 'paused' | 'closed' | 'settled';
      /** @description Decimal dollars, e.g. "0.4200" */
      yesBid: string | null;
      /** @description Decimal dollars, e.g. "0.4400" */
      yesAsk: string | null;
      /** @description Decimal dollars of the last trade */
      lastPrice: string | null;
      /** Format: date-time */
      closeTime: string;
      volume24h: number;
      score: number;
    };
    Trending: {
      /** @description The category filter applied */
      category: string[];
      /** @description Only when userId is given: impressions and clicks name it for attribution */
      feedId?: string;
      items: components['schemas']['MarketScore'][];
    };
    Similar: {
      ticker: string;
      /**
       * @description The active model's market vectors, else co-interaction
       * @enum {string}
       */
      source: 'model' | 'co-interaction';
      model: string | null;
      /** @description Only when userId is given: impressions and clicks name it for attribution */
      feedId?: string;
      items: components['schemas']['MarketScore'][];
    };
    /** @description The first page a ranker would serve now; nothing stored, nobody assigned */
    FeedPreview: {
      userId: string;
      ranker: string;
      model: string | null;
      items: components['schemas']['FeedItem'][];
    };
    JobTriggered: {
      id: string;
      name: string;
      /** @description An identical job (same name and payload) was already waiting or running: this trigger joined it */
      deduplicated: boolean;
      /** @description Where to follow it (GET) */
      status: string;
    };
    JobStatus: {
      id?: string;
      name?: string;
      /** @enum {string} */
      state?: 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';
      progress?: unknown;
      attemptsMade?: number;
      result?: unknown;
      error?: string;
      /** Format: date-time */
      createdAt?: string;
      /** Format: date-time */
      finishedAt?: string;
    };
    JobRuns: {
      /** @description Every job that can be triggered */
      jobs?: string[];
      runs?: {
        [key: string]: unknown;
      }[];
    };
    Experiment: {
      key?: string;
      feature?: string;
      /** @enum {string} */
      status?: 'running' | 'stopped';
      coverage?: number;
      name?: string | null;
      hashAttribute?: string;
      variations?: {
        id?: string;
        name?: string | null;
        ranker?: unknown;
        weight?: number;
      }[];
      condition?: unknown;
      namespace?: unknown[] | null;
      source?: string;
      /** @description The GrowthBook experiment rule itself */
      rule?: unknown;
    } & {
      [key: string]: unknown;
    };
    ExperimentList: {
      experiments: components['schemas']['Experiment'][];
      /** @description Whether experiments may be edited here (not GrowthBook-owned) */
      editable: boolean;
      growthbookUrl: string | null;
      rankers: string[];
    };
    /** @description Per variation: exposed users, CTR, trade conversion, trades per user, lift with confidence intervals, chance to beat control; the sample-ratio check; daily series */
    ExperimentResults: {
      experiment?: components['schemas']['Experiment'];
      daily?: unknown;
    } & {
      [key: string]: unknown;
    };
    ReportDays: {
      days?: ({
        /** Format: date */
        date?: string;
        latestVersion?: number;
        status?: string;
        versions?: {
          [key: string]: unknown;
        }[];
      } & {
        [key: string]: unknown;
      })[];
    };
    /** @description A day's reconciled report, money as exact decimal strings: attributed rows, organic, total, tie-out, exceptions with reason codes, version (docs/reports.md) */
    DailyReport: {
      /** Format: date */
      date?: string;
      version?: number;
    } & {
      [key: string]: unknown;
    };
    Health: {
      /** @enum {string} */
      status: 'ok';
    };
    Readiness: {
      /** @enum {string} */
      status: 'ready' | 'not_ready';
      checks: {
        [key: string]: {
          ok?: boolean;
          degraded?: string;
          error?: string;
        };
      };
    };
    DashboardSession: {
      loggedIn?: boolean;
      /** @description Send as X-CSRF-Token with the session cookie */
      csrfToken?: string;
      /** Format: date-time */
      expiresAt?: string;
    };
    Error: {
      error?: {
        /**
         * @description By status: 400 invalid_request, 400 invalid_json, 422 validation_failed, 422 unknown_reference, 413 batch_too_large, 413 payload_too_large, 415 unsupported_media_type, 401 unauthorized, 403 forbidden, 429 rate_limited, 404 not_found, 410 cursor_expired, 409 conflict, 503 unavailable, 500 internal
         * @enum {string}
         */
        code:
          | 'invalid_request'
          | 'invalid_json'
          | 'validation_failed'
          | 'unknown_reference'
          | 'batch_too_large'
          | 'payload_too_large'
          | 'unsupported_media_type'
          | 'unauthorized'
          | 'forbidden'
          | 'rate_limited'
          | 'not_found'
          | 'cursor_expired'
          | 'conflict'
          | 'unavailable'
          | 'internal';
        message: string;
        /** @description For bad input, one entry per offending field (`path` names it, `index` its item in a batch); for rate limits, `{ limit, retryAfterSeconds }` */
        details?:
          | {
              path?: string;
              message?: string;
              index?: number;
              reference?: boolean;
            }[]
          | {
              [key: string]: unknown;
            };
      };
    };
  };
  responses: {
    /** @description Error */
    Error: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description rate_limited: too many writes for this API key or address, or too many wrong keys from this address */
    RateLimited: {
      headers: {
        /** @description Seconds to wait before retrying */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description unavailable: the replica is shedding load (more than SIBYL_MAX_IN_FLIGHT requests in flight), shutting down, or a dependency (store, job queue) is unreachable */
    Unavailable: {
      headers: {
        /** @description Seconds to wait before retrying */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
