/** What CloudFront accepts as invalidation paths, and how many it works on at once. */

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

/** All of `invalidPathReason`'s rules but the length, as one pattern (the OpenAPI document's). */
export const INVALIDATION_PATH_PATTERN =
  /^\/(?:[A-Za-z0-9\-._~!$&'()+,;=:@/?[\]]|%[0-9A-Fa-f]{2})*\*?$/;

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
