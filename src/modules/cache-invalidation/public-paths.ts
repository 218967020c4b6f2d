/**
 * The public paths (CloudFront invalidation paths) that a change to a page affects.
 * This is the one place that knows how public URLs are shaped.
 *
 * - `/v1/pages/<slug>`            the page itself
 * - `/v1/pages/<slug>/schedule*`  occurrences (any query window) and the `.ics` feed
 * - `/v1/pages` and `/v1/pages?*` the published list, first page and cursor pages
 */
export function pagePaths(slug: string): string[] {
  return [`/v1/pages/${slug}`, `/v1/pages/${slug}/schedule*`];
}

export const LIST_PATHS = ['/v1/pages', '/v1/pages?*'];

/** Paths for a change that touches a page's public representation (and so the list). */
export function publicChangePaths(slugs: string[]): string[] {
  return [...new Set([...slugs.flatMap(pagePaths), ...LIST_PATHS])].sort();
}
