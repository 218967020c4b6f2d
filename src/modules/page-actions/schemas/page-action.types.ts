import type { AuditEntry } from '../../audit/audit-entry';
import type { PageContent } from '../../pages/schemas/page.types';

export const ACTION_KINDS = ['publish', 'unpublish', 'archive'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_STATUSES = [
  'scheduled',
  'running',
  'done',
  'skipped',
  'cancelled',
  'failed',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
/** Not yet finished: what the scheduler, the metrics and "upcoming" lists look at. */
export const OPEN_STATUSES: ActionStatus[] = ['scheduled', 'running'];

/** One scheduled action on a page (collection `page_actions`). */
export interface PageActionRecord {
  /** ObjectId hex for actions created through the API; `<termId>-<kind>` for a term's. */
  _id: string;
  pageId: string;
  kind: ActionKind;
  at: Date;
  status: ActionStatus;
  /** `<pageId>:<at ms>` while it counts (unique): one action per page and instant. */
  slot: string;
  source: 'api' | 'term';
  termId?: string;
  /** For a publish: the page version approved, and its draft content as of that version. */
  approvedVersion?: number;
  content?: PageContent;
  createdAt: Date;
  /** Display name of who scheduled it; `createdById` their stable actor id. */
  createdBy: string;
  createdById?: string;
  requestId?: string;
  /** Lease: generation won by a token insert, holder and expiry (database time). */
  leaseGen: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  attempts: number;
  lastError?: string;
  /** The outcome: when it ran, why it was skipped, the page version it wrote. */
  ranAt?: Date;
  reason?: string;
  pageVersion?: number;
  updatedAt: Date;
  /** Audit entries of its creation/cancellation not yet delivered (as for pages and tokens). */
  auditOutbox?: AuditEntry[];
}
