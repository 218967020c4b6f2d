import type { CdnChangeReason } from './schemas/outbox.types';

/**
 * The public paths (CloudFront invalidation paths) that a change to a page affects.
 * This is the one place that knows how public URLs are shaped.
 *
 * - `/v1/pages/<slug>`            the page itself
 * - `/v1/pages/<slug>/schedule*`  occurrences (any `from`/`to` query: CloudFront caches each query
 *                                 string separately, so only a wildcard reaches them all) and the
 *                                 `.ics` feed
 * - `/v1/pages` and `/v1/pages?*` the published list, first page and cursor pages
 *
 * Each page costs one wildcard path; the list costs one more, shared by every change in a batch.
 */
export function pagePaths(slug: string): string[] {
  return [`/v1/pages/${slug}`, `/v1/pages/${slug}/schedule*`];
}

export const LIST_PATHS = ['/v1/pages', '/v1/pages?*'];

/**
 * Paths for a change that touches a page's public representation. Every reason alters the list
 * (a page appears, disappears, is renamed or shows new title/summary/publishedAt), except a live
 * schedule change: the list does not show the schedule.
 */
export function publicChangePaths(slugs: string[], reason?: CdnChangeReason): string[] {
  const list = reason === 'schedule-change' ? [] : LIST_PATHS;
  return [...new Set([...slugs.flatMap(pagePaths), ...list])].sort();
}
