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
