import type { CdnChangeReason } from './outbox.types';

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

/** CloudFront's per-distribution limits on invalidation paths in progress at one time. */
export const CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS = 3000;
export const CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS = 15;
export const MAX_PATH_LENGTH = 4000;

export const isWildcard = (path: string): boolean => path.endsWith('*');

export interface PathCounts {
  files: number;
  wildcards: number;
}

export function countPaths(paths: Iterable<string>): PathCounts {
  const counts = { files: 0, wildcards: 0 };
  for (const path of paths) counts[isWildcard(path) ? 'wildcards' : 'files'] += 1;
  return counts;
}

/**
 * A path CloudFront accepts as-is: leading slash, printable ASCII without spaces (other characters
 * must arrive URL-encoded, `%XX`), and `*` only as the last character.
 */
const LEGAL_PATH = /^\/[A-Za-z0-9\-._~!$&'()+,;=:@/?%[\]]*\*?$/;

export function invalidPathReason(path: string): string | null {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (path.indexOf('*') !== -1 && path.indexOf('*') !== path.length - 1)
    return 'may contain "*" only as the last character';
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return 'has a "%" that is not a %XX escape';
  if (!LEGAL_PATH.test(path))
    return 'has characters CloudFront does not accept unencoded (URL-encode them)';
  return null;
}
