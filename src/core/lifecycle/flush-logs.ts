import type { Logger } from 'pino';

/** The longest a final log flush may hold an exit. */
export const FLUSH_TIMEOUT_MS = 1000;

/**
 * Resolves once everything the logger's buffered stdout holds is written (pino's `flush(cb)`
 * waits for SonicBoom's drain), or after the timeout. pino also writes what is left synchronously
 * in its process 'exit' handler, but that cannot wait for a write already under way.
 */
export function flushLogs(logger: Logger, timeoutMs = FLUSH_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
