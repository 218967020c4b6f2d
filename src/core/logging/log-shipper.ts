import type { DestinationStream } from 'pino';
import { counter, gauge } from '../metrics/registry';

/** What a sink reports for one bulk write; the records it names in `retry` are sent again. */
export interface BulkOutcome {
  /** Records refused for a transient reason (429, 5xx per item). */
  retry: string[];
  /** Records refused for good (mapping error, 4xx per item). */
  rejected: number;
}

/** Where shipped records go. Throws when the whole request failed (connection, timeout, 5xx). */
export interface LogSink {
  bulk(lines: string[]): Promise<BulkOutcome>;
  close?(): Promise<void>;
}

export interface LogShipperOptions {
  batchSize: number;
  queueMax: number;
  flushIntervalMs: number;
  /** Upper bound of queued bytes, next to the record count: one huge record must not pin memory. */
  queueMaxBytes?: number;
  /** Attempts per batch, the first one included. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  /** How long close() keeps flushing before it drops what is left. */
  closeTimeoutMs?: number;
  /** Reports shipping failures. Must not log through pino: that would feed the shipper itself. */
  onError?: (error: unknown) => void;
}

export type DropReason = 'queue_full' | 'rejected' | 'retries_exhausted' | 'closed';

const dropped = counter({
  name: 'log_shipper_dropped_total',
  help: 'Log records the in-app shipper dropped instead of sending to OpenSearch',
  labelNames: ['reason'] as const,
});
const shipped = counter({
  name: 'log_shipper_shipped_total',
  help: 'Log records the in-app shipper wrote to OpenSearch',
});
const queued = gauge({
  name: 'log_shipper_queue_records',
  help: 'Log records waiting in the in-app shipper queue',
});

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Writes a throttled line to stderr: at most one a minute, so an outage does not flood it. */
function stderrReporter(): (error: unknown) => void {
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${JSON.stringify({ level: 40, time: now, msg: 'log shipper: bulk write failed, records are queued or dropped', error: message })}\n`,
    );
  };
}

/**
 * A pino destination that ships records to a sink in the background. `write` only appends the
 * serialized line to a bounded queue (no parsing, no I/O), so logging never waits on OpenSearch;
 * when the queue is full the record is dropped and counted. A timer and a full batch trigger a
 * bulk write; transient failures are retried with backoff, the rest is dropped and counted.
 */
export class LogShipper implements DestinationStream {
  private queue: string[] = [];
  private queuedBytes = 0;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly queueMaxBytes: number;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly counts = { shipped: 0, dropped: 0 };

  constructor(
    private readonly sink: LogSink,
    private readonly options: LogShipperOptions,
  ) {
    this.queueMaxBytes = options.queueMaxBytes ?? 32 * 1024 * 1024;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.onError = options.onError ?? stderrReporter();
    this.timer = setInterval(() => this.kick(), options.flushIntervalMs);
    this.timer.unref();
  }

  write(line: string): void {
    if (this.closed) return this.drop('closed', 1);
    if (
      this.queue.length >= this.options.queueMax ||
      this.queuedBytes + line.length > this.queueMaxBytes
    ) {
      return this.drop('queue_full', 1);
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    queued.inc();
    if (this.queue.length >= this.options.batchSize) this.kick();
  }

  /** Sends everything queued now; resolves when the queue is empty or every batch was tried. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      this.kick();
      await this.inFlight;
    }
  }

  /** Stops accepting records and flushes what is queued, dropping the rest after the timeout. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    let timedOut = false;
    const deadline = sleep(this.closeTimeoutMs).then(() => {
      timedOut = true;
    });
    await Promise.race([this.flush(), deadline]);
    this.closed = true;
    if (timedOut) this.drop('closed', this.take(this.queue.length).length);
    await this.sink.close?.();
  }

  /** Counts since this shipper was created (the metrics are process-wide). */
  stats(): { queued: number; shipped: number; dropped: number } {
    return { queued: this.queue.length, ...this.counts };
  }

  private kick(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.drain().finally(() => {
      this.inFlight = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      await this.send(this.take(this.options.batchSize));
      // A partial batch waits for the next tick, so a trickle of records is not sent one by one.
      if (this.queue.length < this.options.batchSize && !this.closed) break;
    }
  }

  private take(n: number): string[] {
    const batch = this.queue.splice(0, n);
    for (const line of batch) this.queuedBytes -= line.length;
    queued.dec(batch.length);
    return batch;
  }

  private async send(batch: string[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      try {
        const outcome = await this.sink.bulk(pending);
        const written = pending.length - outcome.retry.length - outcome.rejected;
        this.counts.shipped += written;
        shipped.inc(written);
        if (outcome.rejected > 0) this.drop('rejected', outcome.rejected);
        pending = outcome.retry;
      } catch (error) {
        this.onError(error);
      }
      if (pending.length === 0) return;
      if (attempt >= this.maxAttempts) return this.drop('retries_exhausted', pending.length);
      await sleep(Math.min(this.retryBaseDelayMs * 2 ** (attempt - 1), 10_000));
    }
  }

  private drop(reason: DropReason, n: number): void {
    if (n <= 0) return;
    this.counts.dropped += n;
    dropped.inc({ reason }, n);
  }
}
