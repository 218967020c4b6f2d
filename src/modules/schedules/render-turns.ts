/**
 * Makes CPU-heavy renders take turns: one per event-loop iteration. A render is synchronous (it
 * must be, to need no single-flight), so twenty of them whose data arrived together would run
 * back to back in one poll phase, and a health probe or a cheap request arriving meanwhile would
 * wait for all of them. Released from `setImmediate`, one at a time, each render is followed by
 * a pass through the poll phase, so anything else waits for at most one.
 */
export class RenderTurns {
  private readonly waiting: Array<() => void> = [];
  private pumping = false;

  /** Resolves when it is the caller's turn; the caller renders synchronously right away. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.pumping) this.pump();
    });
  }

  private pump(): void {
    this.pumping = true;
    setImmediate(() => {
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.pump();
      else this.pumping = false;
    });
  }
}
