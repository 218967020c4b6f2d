import type { Logger } from 'pino';
import { flushLogs } from './flush-logs';

/**
 * An uncaught exception, or an unhandled rejection (which Node turns into one), leaves the process
 * in an unknown state: log it as `fatal` with the error, flush the buffered log lines — the fatal
 * one included — and exit 1. Nothing is drained or closed; worker leases expire on their own.
 * A second fatal error while flushing exits at once.
 */
export function installFatalErrorHandlers(
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let exiting = false;
  const handler = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin) => {
    logger.fatal({ err: error, origin }, `fatal: ${origin}, exiting`);
    if (exiting) return exit(1);
    exiting = true;
    void flushLogs(logger).then(() => exit(1));
  };
  process.on('uncaughtException', handler);
  return () => process.off('uncaughtException', handler);
}
