import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs; credentials never reach them. Servers log to stdout; one-off commands log to stderr so
 * that their stdout carries only their output.
 */
export function createLogger(level: string, to: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    {
      name: 'sibyl',
      level,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'apiKey'], censor: '[redacted]' },
    },
    pino.destination(to === 'stdout' ? 1 : 2),
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
