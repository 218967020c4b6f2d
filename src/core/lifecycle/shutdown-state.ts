import { Injectable } from '@nestjs/common';

/** Whether the process is shutting down; readiness reads it so traffic moves away at once. */
@Injectable()
export class ShutdownState {
  private drainingSince?: Date;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beginDrain(now = new Date()): void {
    this.drainingSince ??= now;
  }
}
