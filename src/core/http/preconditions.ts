import { createHash } from 'node:crypto';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** Admin ETags are the document version: `"7"`. */
export const versionEtag = (version: number): string => `"${version}"`;

/** What `If-Match` accepts: one version ETag, `"3"`, optionally weak or unquoted. */
export const IF_MATCH_PATTERN = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/;

/**
 * Reads the version an admin write is based on from `If-Match: "<version>"`.
 * Missing → 428 (we never overwrite blindly); unparsable → 400.
 */
export function parseIfMatch(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw new DomainError(
      ErrorCode.PreconditionRequired,
      'If-Match header with the current version (e.g. If-Match: "3") is required',
    );
  }
  const match = IF_MATCH_PATTERN.exec(value);
  if (!match) {
    throw new DomainError(
      ErrorCode.BadRequest,
      `If-Match must be a version ETag such as "3", got ${value}`,
    );
  }
  return Number(match[1]);
}

/** Strong content ETag for public representations. */
export function contentEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** RFC 9110 weak comparison for If-None-Match (a list, `*`, or W/ prefixed tags). */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  if (value === etag) return true; // what a cache revalidating its copy sends
  const bare = etag.replace(/^W\//, '');
  return value
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === bare);
}
