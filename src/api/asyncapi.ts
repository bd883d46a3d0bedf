/**
 * The push streams' contract as an AsyncAPI 3.0 document, served at `/asyncapi.json` (the HTTP
 * routes are in ./openapi/document.ts). Payloads are the event shapes of src/feed/push/push-events.ts.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const ticker = { type: 'string', description: 'Market ticker' };
  const dollars = { type: 'string', pattern: '^\\d\\.\\d{4}$', description: 'Dollars, e.g. "0.4200"' };
  const base = {
    seq: { type: 'integer', minimum: 1, description: "Position in this feed's event log (resume after it)" },
    feedId: { type: 'string' },
  };
  const event = (type: string, description: string, properties: Record<string, unknown>) => ({
    name: type,
    title: type,
    summary: description,
    payload: {
      type: 'object',
      required: ['type', 'seq', 'feedId', ...Object.keys(properties)],
      properties: { type: { const: type }, ...base, ...properties },
    },
  });
  const messages = {
    market_closed: event(
      'market_closed',
      'A market on the pages served to this subscriber closed, paused or settled: remove it.',
      { ticker, status: { type: 'string', examples: ['closed', 'paused', 'settled'] } },
    ),
    price_moved: event(
      'price_moved',
      'A market on the served pages moved by at least FEED_PUSH_PRICE_CENTS since it was served (or last pushed).',
      { ticker, from: dollars, to: dollars },
    ),
    new_match: event(
      'new_match',
      "A newly listed market would rank in the subscriber's top FEED_PUSH_TOP_K now.",
      {
        ticker,
        rank: { type: 'integer', minimum: 1 },
        item: {
          type: 'object',
          properties: {
            ticker,
            eventTicker: { type: 'string' },
            title: { type: 'string' },
            category: { type: 'string' },
            price: { ...dollars, type: ['string', 'null'] },
            closeTime: { type: 'string', format: 'date-time' },
            score: { type: 'number' },
            reasons: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    ),
    feed_changed: event(
      'feed_changed',
      'A fresh first page differs materially from the served one; at most once per FEED_PUSH_MIN_SECONDS per user.',
      {
        positions: {
          type: 'array',
          items: { type: 'integer', minimum: 0 },
          description: '0-based positions that changed',
        },
        tickers: { type: 'array', items: ticker, description: 'The fresh first page, in order' },
      },
    ),
    reset: event(
      'reset',
      'The log no longer reaches back to the seq asked to resume from (too_old) or never did (unknown_seq): fetch the feed again; seq is where the log is now.',
      { reason: { enum: ['too_old', 'unknown_seq'] } },
    ),
  };
  const refs = (names: string[], channel: string) =>
    Object.fromEntries(names.map((n) => [n, { $ref: `#/channels/${channel}/messages/${n}` }]));
  const eventNames = Object.keys(messages);
  const command = (cmd: string, params: Record<string, unknown>, required: string[]) => ({
    name: cmd,
    payload: {
      type: 'object',
      required: ['id', 'cmd', 'params'],
      properties: {
        id: { type: 'integer', description: 'Echoed in the reply' },
        cmd: { const: cmd },
        params: { type: 'object', required, properties: params },
      },
    },
  });
  const subscription = {
    feed_id: {
      type: 'string',
      description: 'The served feed to watch; without it a first page is served for the stream',
    },
    cursor: { type: 'string', description: "A page's nextCursor: the items before it were served too" },
    resume_from: { type: 'integer', minimum: 0, description: 'The last seq received' },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Sibyl live feed updates',
      version: '1.0.0',
      description:
        'Events about the feed pages a user was served, over Server-Sent Events or a WebSocket. Credentials: an API key or the user\'s token (SIBYL_USER_TOKEN_SECRET), as "Authorization: Bearer …" or ?token=. Heartbeats every 15 s (SSE comments, WebSocket pings). A connection whose unsent events exceed FEED_PUSH_QUEUE_BYTES is closed (WebSocket code 4008); at shutdown WebSockets close with 1001.',
    },
    channels: {
      feedEvents: {
        address: '/v1/users/{userId}/feed/stream',
        description:
          'Server-Sent Events: `id` is the seq, `event` the type, `data` the payload. Query: feed_id, cursor, token; resume with the Last-Event-ID header (or ?last_event_id=). First comes `event: subscribed` with { feedId, seq }.',
        parameters: { userId: { description: 'The user whose feed is watched' } },
        messages,
      },
      feedSocket: {
        address: '/v1/stream',
        description:
          'WebSocket. Commands (Kalshi-style) subscribe and unsubscribe; replies `{"id","type":"subscribed","msg":{"channel":"feed","sid","feed_id","seq"}}`, `{"id","sid","type":"unsubscribed"}` or `{"id","type":"error","msg":{"code","message","details","status"}}`; events arrive as `{"type","sid","seq","msg":<payload>}`.',
        messages: {
          ...messages,
          subscribe: command(
            'subscribe',
            {
              channels: { type: 'array', items: { const: 'feed' } },
              user_id: { type: 'string' },
              ...subscription,
            },
            ['channels', 'user_id'],
          ),
          unsubscribe: command('unsubscribe', { sids: { type: 'array', items: { type: 'integer' } } }, [
            'sids',
          ]),
        },
      },
    },
    operations: {
      receiveFeedEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/feedEvents' },
        messages: Object.values(refs(eventNames, 'feedEvents')),
      },
      receiveSocketEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/feedSocket' },
        messages: Object.values(refs(eventNames, 'feedSocket')),
      },
      sendSocketCommands: {
        action: 'send',
        channel: { $ref: '#/channels/feedSocket' },
        messages: Object.values(refs(['subscribe', 'unsubscribe'], 'feedSocket')),
      },
    },
  };
}
