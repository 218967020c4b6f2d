import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { PagesRepository } from './pages.repository';
import { publicChangePaths } from './public-paths';
import type { CdnChangeReason, CdnOutboxEntry, PendingOutbox } from './schemas/outbox.types';

/** Builds the outbox entry a public change pushes onto its page in the same update. */
export function outboxEntry(
  slugs: string[],
  reason: CdnChangeReason,
  requestId?: string,
  now = new Date(),
): CdnOutboxEntry {
  return {
    id: new Types.ObjectId().toHexString(),
    paths: publicChangePaths(slugs, reason),
    reason,
    requestId,
    createdAt: now,
  };
}

/**
 * The port through which the cache-invalidation module drains page outboxes: list what is
 * pending, acknowledge an entry once it is safely recorded elsewhere. Nothing else of a page is
 * reachable through it, and acknowledging takes the page lock like every other page write.
 */
@Injectable()
export class PageOutbox {
  constructor(private readonly repo: PagesRepository) {}

  pending(limit: number): Promise<PendingOutbox[]> {
    return this.repo.pendingOutboxes(limit);
  }

  /** Removes the entry from its page; the page's version is untouched (not an edit). */
  acknowledge(pageId: string, entry: CdnOutboxEntry): Promise<void> {
    return this.repo.removeOutboxEntry(pageId, entry);
  }
}
