import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { SLUG_PATTERN } from './dto/page-content.dto';
import type { CdnChangeReason } from './schemas/outbox.types';

/**
 * The public paths (CloudFront invalidation paths) that a change to a page affects.
 * This is the one place that knows how public URLs are shaped.
 *
 * - `/v1/pages/<slug>*`          everything under the page's URL: the page itself, any query-string
 *                                variant of it (CloudFront caches each query string separately:
 *                                `/v1/pages/<slug>?x=1` is its own object), its occurrences under
 *                                any `from`/`to`, and the `.ics` feed. One wildcard, so a page
 *                                change costs one of CloudFront's 15 in-progress wildcards, not
 *                                two. It also reaches slugs that merely start with this one
 *                                (`jane*` covers `jane-doe`): a harmless extra miss.
 * - `/v1/pages` and `/v1/pages?*` the published list, first page and cursor pages
 *
 * The list costs one more wildcard, shared by every change in a batch.
 */
export function pagePaths(slug: string): string[] {
  return [`/v1/pages/${slug}*`];
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

/** The 404 of a public read of `slug` (quoted at most 80 characters long). */
export function pageNotFound(slug: string): DomainError {
  const shown = slug.length > 80 ? `${slug.slice(0, 80)}…` : slug;
  return new DomainError(ErrorCode.PageNotFound, `No published page with slug "${shown}"`);
}

/**
 * A public read of a slug no page can have (SLUG_PATTERN) is a 404 before any database read or
 * cache entry: a client sending random long or malformed slugs costs no more than a health check.
 */
export function assertPossibleSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) throw pageNotFound(slug);
}
