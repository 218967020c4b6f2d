import type { CdnChangeReason } from '../../pages/schemas/outbox.types';

/**
 * What an admin sees for one invalidation request (one public change, or one manual request):
 * - pending:     recorded, waiting for the batch window
 * - in-progress: in a batch that is being sent (or retried with backoff)
 * - sent:        CloudFront accepted it; it is propagating to the edges
 * - completed:   CloudFront reports it Completed
 * - failed:      gave up after the bounded attempts, or CloudFront refused it; see lastError
 * - skipped:     no distribution configured, so nothing to send
 */
export const INVALIDATION_STATUSES = [
  'pending',
  'in-progress',
  'sent',
  'completed',
  'failed',
  'skipped',
] as const;
export type InvalidationStatus = (typeof INVALIDATION_STATUSES)[number];

export type InvalidationReason = CdnChangeReason | 'manual';

/** One change's paths: the admin resource, moved here from a page's outbox (same id) or an admin POST. */
export interface InvalidationRecord {
  _id: string;
  source: 'page' | 'admin';
  pageId?: string;
  reason: InvalidationReason;
  requestId?: string;
  paths: string[];
  status: InvalidationStatus;
  batchId: string | null;
  generation?: number;
  attempts: number;
  lastError?: string;
  cloudFrontId?: string;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  completedAt?: Date;
}

/**
 * The lifecycle of one CreateInvalidation request:
 * assembling → sending (paths and CallerReference frozen) → sent → completed, or → failed.
 */
export const BATCH_STATUSES = ['assembling', 'sending', 'sent', 'completed', 'failed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export interface BatchRecord {
  _id: string;
  distributionId: string;
  status: BatchStatus;
  itemIds: string[];
  requestIds: string[];
  paths: string[];
  callerReference?: string;
  attempts: number;
  lastError?: string;
  /**
   * A CreateInvalidation was started and its outcome is unknown (crash, timeout, dropped
   * connection): before sending again, look CloudFront up for this CallerReference.
   */
  uncertain: boolean;
  /**
   * Sends CloudFront refused as busy (Throttling, TooManyInvalidationsInProgress) or that waited
   * for in-progress room: they never count as attempts, so a busy distribution fails nothing.
   */
  deferrals?: number;
  /** When the first of those happened. */
  deferredSince?: Date;
  firstAttemptAt?: Date;
  nextAttemptAt: Date;
  leaseGen: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  cloudFrontId?: string;
  cloudFrontStatus?: string;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  completedAt?: Date;
}
