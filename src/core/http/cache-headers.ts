import type { AppConfig } from '../config/app-config';

/** Cache-Control for public, CDN-cached responses. */
export function publicCacheControl(cache: AppConfig['cache']): string {
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
export function staleCacheControl(cache: AppConfig['cache']): string {
  return ['public', 'max-age=0', 's-maxage=1', `stale-if-error=${cache.staleIfError}`].join(', ');
}
