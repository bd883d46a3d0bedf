import type { Logger } from '../log/logger.js';

/**
 * Runs `cleanup` once on SIGTERM or SIGINT (stop serving, finish in-flight work, flush the store),
 * then exits. A second signal, or cleanup taking longer than `timeoutMs`, exits at once.
 */
export function onShutdown(logger: Logger, cleanup: () => Promise<void>, timeoutMs = 25_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    cleanup().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
