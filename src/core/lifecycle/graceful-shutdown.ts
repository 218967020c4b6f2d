import type { Logger } from 'pino';
import { flushLogs } from './flush-logs';
import { ShutdownState } from './shutdown-state';

export interface GracefulShutdownOptions {
  state: ShutdownState;
  logger: Logger;
  /** How long requests are still served after readiness starts failing. */
  drainDelayMs: number;
  /** Budget from the signal to exit; exceeded means exit 1. 0: unbounded. */
  graceMs: number;
  signals?: NodeJS.Signals[];
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT handling in place of Nest's enableShutdownHooks, which closes at once:
 *  1. readiness answers 503 immediately, so the kubelet takes the pod out of the Service;
 *  2. requests are still served for the drain delay, while ingress-nginx and the NLB catch up;
 *  3. app.close(): new requests get 503 + `Connection: close`, shutdown hooks stop the workers
 *     and release their leases, Fastify stops accepting and waits for in-flight requests, then
 *     the database connection closes;
 *  4. logs are flushed and the process exits 0 — or 1 if the grace period ran out or closing
 *     failed. A second signal exits at once with 1.
 */
export class GracefulShutdown {
  private started = false;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();
  private readonly exit: (code: number) => void;

  constructor(
    private readonly app: { close(): Promise<void> },
    private readonly options: GracefulShutdownOptions,
  ) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  install(): this {
    for (const signal of this.options.signals ?? ['SIGTERM', 'SIGINT']) {
      const handler = () => void this.shutdown(signal);
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
    return this;
  }

  uninstall(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }

  async shutdown(signal: string): Promise<void> {
    const { logger, drainDelayMs, graceMs } = this.options;
    if (this.started) {
      logger.warn({ signal }, 'shutdown: second signal, exiting now');
      await this.flush();
      this.exit(1);
      return;
    }
    this.started = true;
    const startedAt = Date.now();
    this.options.state.beginDrain();
    logger.info({ signal, drainDelayMs, graceMs }, 'shutdown: readiness failing, draining');

    let finished = false;
    const deadline =
      graceMs > 0
        ? setTimeout(() => {
            if (finished) return;
            finished = true;
            logger.error({ graceMs }, 'shutdown: grace period exceeded, forcing exit');
            void this.flush().then(() => this.exit(1));
          }, graceMs).unref()
        : undefined;

    let code = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, drainDelayMs).unref());
      logger.info('shutdown: closing the server and stopping workers');
      await this.app.close();
      logger.info({ elapsedMs: Date.now() - startedAt }, 'shutdown: complete');
    } catch (error) {
      code = 1;
      logger.error({ err: error }, 'shutdown: closing failed');
    }
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    await this.flush();
    this.exit(code);
  }

  /** pino writes stdout asynchronously and buffered; what it holds must reach it before exit. */
  private flush(): Promise<void> {
    return flushLogs(this.options.logger);
  }
}
