/**
 * A pending CDN invalidation, stored inside the page document by the same single-document update
 * that changed the public representation — so it survives a crash right after the write. The
 * pages module writes entries; the cache-invalidation module reads and acknowledges them through
 * `PageOutbox`.
 */
export interface CdnOutboxEntry {
  id: string;
  paths: string[];
  reason: CdnChangeReason;
  requestId?: string;
  createdAt: Date;
}

export type CdnChangeReason =
  | 'publish'
  | 'unpublish'
  | 'archive'
  | 'slug-change'
  | 'schedule-change'
  | 'restore'
  | 'redirect-removed';

/** The CDN entries one page still has to hand over. */
export interface PendingOutbox {
  pageId: string;
  entries: CdnOutboxEntry[];
}
