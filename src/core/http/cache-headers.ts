import type { AppConfig } from '../config/app-config';

/** Cache-Control for public, CDN-cached responses. */
/** The four lifetimes of a public response, seconds. */
export type CacheLifetimes = Pick<
  AppConfig['cache'],
  'maxAge' | 'sMaxAge' | 'staleWhileRevalidate' | 'staleIfError'
>;

export function publicCacheControl(cache: CacheLifetimes): string {
  return [
    'public',
    `max-age=${cache.maxAge}`,
    `s-maxage=${cache.sMaxAge}`,
    `stale-while-revalidate=${cache.staleWhileRevalidate}`,
    `stale-if-error=${cache.staleIfError}`,
  ].join(', ');
}

/**
 * Cache-Control for a copy served past its freshness because the database is unreachable: the
 * edge may show it, but should ask again within a second rather than keep it for s-maxage.
 */
export function staleCacheControl(cache: CacheLifetimes): string {
  return ['public', 'max-age=0', 's-maxage=1', `stale-if-error=${cache.staleIfError}`].join(', ');
}

export interface PublicCacheHeaders {
  cacheControl: string;
  /** Set only when the response must not be used past an instant (for HTTP/1.0 browsers). */
  expires?: string;
}

/**
 * The cache headers of a public response that must not be served past `notAfter` (a scheduled
 * unpublish): every lifetime is cut so that fresh + stale-while-revalidate, and fresh +
 * stale-if-error, end by then, for the CDN (s-maxage) and for browsers (max-age, Expires). A
 * lost invalidation then cannot keep the page visible past its term. Whole seconds, rounded
 * down; past `notAfter` (the unpublish is due but not yet run) nothing may be reused.
 */
export function publicCacheHeaders(
  cache: CacheLifetimes,
  notAfter: Date | null | undefined,
  now: Date = new Date(),
): PublicCacheHeaders {
  if (!notAfter) return { cacheControl: publicCacheControl(cache) };
  const left = Math.max(0, Math.floor((notAfter.getTime() - now.getTime()) / 1000));
  const sMaxAge = Math.min(cache.sMaxAge, left);
  const maxAge = Math.min(cache.maxAge, left);
  const afterFresh = left - Math.max(sMaxAge, maxAge);
  const capped = {
    maxAge,
    sMaxAge,
    staleWhileRevalidate: Math.min(cache.staleWhileRevalidate, afterFresh),
    staleIfError: Math.min(cache.staleIfError, afterFresh),
  };
  return {
    cacheControl: publicCacheControl(capped),
    expires: new Date(now.getTime() + maxAge * 1000).toUTCString(),
  };
}
