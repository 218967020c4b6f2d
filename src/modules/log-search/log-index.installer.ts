import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { LogRepository } from './log.repository';

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;

/**
 * Installs the log index template in the background: start-up never waits on OpenSearch, and
 * while it is down the installer retries with backoff (the shipper also installs it before its
 * first write, so records never land in an index with guessed mappings).
 */
@Injectable()
export class LogIndexInstaller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LogIndexInstaller.name);
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(@Inject(LogRepository) private readonly logs: LogRepository) {}

  onApplicationBootstrap(): void {
    if (!this.logs.configured) {
      this.logger.warn('OPENSEARCH_URL is not set: log search answers 503 and no logs are shipped');
      return;
    }
    this.running = this.attempt(FIRST_RETRY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    await this.logs.close();
  }

  /** Resolves once the template is installed or the app stops. */
  whenDone(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async attempt(nextDelayMs: number): Promise<void> {
    try {
      const result = await this.logs.ensureTemplateOnce();
      this.logger.log(`log index template for data stream ${this.logs.stream}: ${result}`);
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(
        `could not install the log index template, retrying in ${nextDelayMs} ms: ${String(error)}`,
      );
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, nextDelayMs);
        this.timer.unref();
      });
      if (!this.stopped) return this.attempt(Math.min(nextDelayMs * 2, MAX_RETRY_MS));
    }
  }
}
