import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Query parameters that carry credentials: some clients send a key in the URL when they cannot set
 * headers. Their values never reach logs.
 */
const SECRET_PARAM = /^(api[_-]?key|access[_-]?token|token|key|secret|password|signature|sig)$/i;

/** `url` (a path with its query) with the values of credential parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is kept as it came
      }
      return SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

/** pino-http's request serializer, with credentials in the query string redacted. */
export function redactRequest<R extends { url?: string; query?: Record<string, unknown> }>(req: R): R {
  const query =
    req.query &&
    Object.fromEntries(
      Object.entries(req.query).map(([k, v]) => [k, SECRET_PARAM.test(k) ? '[redacted]' : v]),
    );
  return { ...req, ...(req.url ? { url: redactUrl(req.url) } : {}), ...(query ? { query } : {}) };
}

/**
 * JSON logs; credentials never reach them. Servers log to stdout; one-off commands log to stderr so
 * that their stdout carries only their output (tests may hand in a stream of their own).
 */
export function createLogger(level: string, to: 'stdout' | 'stderr' | DestinationStream = 'stdout'): Logger {
  return pino(
    {
      name: 'sibyl',
      level,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'apiKey'], censor: '[redacted]' },
    },
    to === 'stdout' ? pino.destination(1) : to === 'stderr' ? pino.destination(2) : to,
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
