/**
 * A pending CDN invalidation, stored inside the page document by the same single-document update
 * that changed the public representation — so it survives a crash right after the write.
 */
export interface CdnOutboxEntry {
  id: string;
  paths: string[];
  reason: CdnChangeReason;
  requestId?: string;
  createdAt: Date;
}

export type CdnChangeReason =
  'publish' | 'unpublish' | 'archive' | 'slug-change' | 'schedule-change' | 'restore';
