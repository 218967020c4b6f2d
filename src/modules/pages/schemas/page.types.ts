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
  /**
   * Slugs the page was published under before a rename, oldest first: while the page is
   * published each answers `301` to the current slug (see PagesService.update).
   */
  formerSlugs?: string[];
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
  /** The paid term, if any: it drives the page's term-sourced scheduled actions. */
  sponsorship?: SponsorshipTerm | null;
  /** A term change not yet turned into scheduled actions (see sponsorship-terms.ts). */
  termSync?: TermSync | null;
  /** true while `termSync` waits (indexed): the sweep that finishes an interrupted PATCH. */
  termPending?: boolean;
  /**
   * The earliest scheduled unpublish or archive, kept by the page-actions module: public
   * responses are never cacheable past it, without a second query on the read path.
   */
  nextUnpublishAt?: Date | null;
  /** The last scheduled action applied by a page write: makes a re-run after a crash a no-op. */
  lastActionId?: string;
  createdAt: Date;
  updatedAt: Date;
  /** Display names of who created and last wrote it; `...Id`: their stable actor ids. */
  createdBy?: string;
  createdById?: string;
  updatedBy?: string;
  updatedById?: string;
  /** The draft's search words (page-search.ts `searchTermsOf`), kept by every draft write. */
  searchTerms?: string[];
}

/** A sponsorship term as stored: instants only (a local input was resolved in its zone). */
export interface SponsorshipTerm {
  termId: string;
  startsAt: Date;
  endsAt: Date;
  /** The page version whose draft is what goes live at `startsAt` (null: the page was live). */
  approvedVersion: number | null;
  setAt: Date;
  setBy: string;
  /** The stable actor id of `setBy`: the term's actions run on its behalf. */
  setById?: string;
}

/**
 * What the page-actions module needs to schedule a term, written with the term in the same
 * update: `content` is the approved draft, snapshotted because drafts keep no history.
 * `term: null` means the term was removed.
 */
export interface TermSync {
  syncId: string;
  term: SponsorshipTerm | null;
  content: PageContent | null;
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
  /** The publisher's stable actor id (`token:<id>`, `oidc:<issuer>#<sub>`, `scheduler`, ...). */
  publishedById?: string;
}
