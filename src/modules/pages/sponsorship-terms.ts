import { Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '../../core/http/request-context';

/** Who turns a page's term change (`termSync`) into scheduled actions: the page-actions module. */
export interface SponsorshipTermObserver {
  /** Idempotent; runs again from the sweep if it failed or the process died. */
  termChanged(pageId: string, ctx: RequestContext): Promise<void>;
}

/**
 * The port through which a sponsorship term, set with the page's PATCH, reaches the module that
 * schedules it, without pages depending on that module: the observer attaches itself at start.
 *
 * The term and its `termSync` are written in one page update, so a term is never lost: the
 * PATCH then asks the observer at once, and if that fails or the process dies, the observer's
 * sweep finds the page by `termPending` and finishes. Clearing `termSync` is the observer's
 * acknowledgement (PagesService.syncTermSchedule).
 */
@Injectable()
export class SponsorshipTerms {
  private readonly logger = new Logger(SponsorshipTerms.name);
  private observer: SponsorshipTermObserver | null = null;

  attach(observer: SponsorshipTermObserver): void {
    this.observer = observer;
  }

  /** Never throws: the write already happened and the sweep retries. */
  async changed(pageId: string, ctx: RequestContext): Promise<void> {
    if (!this.observer) return;
    try {
      await this.observer.termChanged(pageId, ctx);
    } catch (error) {
      this.logger.warn(
        { err: error, pageId, requestId: ctx.requestId },
        'sponsorship term not scheduled yet: the scheduler sweep will finish it',
      );
    }
  }
}
