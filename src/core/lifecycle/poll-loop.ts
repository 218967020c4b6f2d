/**
 * The timer loop of a background worker: one poll at a time, the next one `intervalMs` after the
 * previous ended (never overlapping), a failed poll logged and followed by the next, and a stop
 * that waits for the poll in progress, but no longer than a bound (every database operation and
 * remote call inside a poll has its own timeout; this is the backstop for shutdown).
 */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private running = false;

  constructor(
    private readonly poll: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** False once stop() began (or before start()): long polls check it between steps. */
  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops scheduling; resolves once the poll in progress ended or `waitMs` passed. */
  async stop(waitMs: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.current) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.current, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.current = this.poll()
        .catch(this.onError)
        .finally(() => {
          this.current = null;
          if (this.running) this.schedule(this.intervalMs);
        });
    }, delayMs);
  }
}
