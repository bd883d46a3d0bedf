import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; credentials never reach them. */
export function createLogger(level: string, name = 'sibyl'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'apiKey'], censor: '[redacted]' },
  });
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
