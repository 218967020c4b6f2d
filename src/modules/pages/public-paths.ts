import type { ApiResponseOptions } from '@nestjs/swagger';
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

/** The public resources of a page, as a redirect's `Location` names them. */
export type PublicPageResource = '' | '/schedule' | '/schedule.ics';

/**
 * The public URL path of a page (or one of its resources) under `slug`: built from the route and
 * a slug that matches SLUG_PATTERN (nothing to encode), never from a request's URL.
 */
export function publicPagePath(slug: string, resource: PublicPageResource = ''): string {
  return `/v1/pages/${slug}${resource}`;
}

/**
 * The OpenAPI description of the `301` a former slug answers with (for the page and each of its
 * schedule views), `location` being the shape of the target.
 */
export function MOVED_PERMANENTLY(location: string): ApiResponseOptions {
  return {
    status: 301,
    description:
      'A former slug of a published page (renamed): moved permanently to the current slug. ' +
      'Cacheable like the page (public Cache-Control, cut to its scheduled unpublish); no body.',
    headers: {
      Location: {
        description: `The same resource under the current slug: \`${location}\` (a path)`,
        schema: { type: 'string' },
      },
    },
  };
}

/** Whether the public list can show a change of this kind (see publicChangePaths). */
export function listShowsChange(reason: CdnChangeReason): boolean {
  return reason !== 'schedule-change' && reason !== 'redirect-removed';
}

/**
 * Paths for a change that touches a page's public representation. Every reason alters the list
 * (a page appears, disappears, is renamed or shows new title/summary/publishedAt), except a live
 * schedule change (the list does not show the schedule) and a redirect's removal (the list shows
 * current slugs only). `slugs` are all the page's slugs the change affects: the current one, a
 * new one, and former ones whose redirects it starts, stops or re-points.
 */
export function publicChangePaths(slugs: string[], reason?: CdnChangeReason): string[] {
  const list = reason && !listShowsChange(reason) ? [] : LIST_PATHS;
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
