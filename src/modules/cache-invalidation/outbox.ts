import { Types } from 'mongoose';
import type { CdnChangeReason, CdnOutboxEntry } from './outbox.types';
import { publicChangePaths } from './public-paths';

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
