import type { Types } from 'mongoose';
import type { AuditEntry } from '../../audit/audit-entry';
import type { CdnOutboxEntry } from './outbox.types';
import type { Schedule } from './schedule.types';

export const PAGE_STATUSES = ['draft', 'published', 'archived'] as const;
export type PageStatus = (typeof PAGE_STATUSES)[number];

export interface AgentInfo {
  name: string;
  title?: string;
  bio?: string;
  photoUrl?: string;
  email?: string;
  phone?: string;
  websiteUrl?: string;
}

export interface SponsorInfo {
  name: string;
  /** Shown with the page wherever it appears: sponsored content is always disclosed. */
  disclosure: string;
  url?: string;
  logoUrl?: string;
}

export interface PageSection {
  heading: string;
  body: string;
}

export interface PageSeo {
  title?: string;
  description?: string;
  canonicalUrl?: string;
  noindex?: boolean;
}

/** The editable content of a page: the draft, and (snapshotted) the live copy. */
export interface PageContent {
  title: string;
  summary?: string;
  agent: AgentInfo;
  sponsor: SponsorInfo;
  sections: PageSection[];
  seo?: PageSeo;
  schedule: Schedule;
}

/** The published snapshot. `body` is the exact public JSON and `etag` its strong tag. */
export interface LiveSnapshot {
  content: PageContent;
  body: string;
  etag: string;
  revision: number;
  publishedAt: Date;
  /** Who published this revision (the revision record is written from the snapshot if lost). */
  publishedBy?: string;
  publishedById?: string;
  updatedAt: Date;
}

export interface PageRecord {
  _id: Types.ObjectId;
  slug: string;
  status: PageStatus;
  version: number;
  draft: PageContent;
  live?: LiveSnapshot | null;
  /** Number of the last published revision (0 = never published). */
  revision: number;
  cdnOutbox: CdnOutboxEntry[];
  /** Set with the first outbox entry and cleared when the outbox is drained (indexed). */
  cdnPending?: boolean;
  /** Audit entries of this page's writes not yet delivered to `audit_events` (see write()). */
  auditOutbox?: AuditEntry[];
  createdAt: Date;
  updatedAt: Date;
  createdBy?: string;
  updatedBy?: string;
}

export interface PageRevisionRecord {
  _id: Types.ObjectId;
  pageId: Types.ObjectId;
  revision: number;
  slug: string;
  content: PageContent;
  etag: string;
  publishedAt: Date;
  publishedBy?: string;
  /** Token id, OIDC subject or `bootstrap` of the publisher (absent on older revisions). */
  publishedById?: string;
}
