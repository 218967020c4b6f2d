import fc from 'fast-check';
import { publicCacheControl, publicCacheHeaders } from './cache-headers';

const cache = { maxAge: 60, sMaxAge: 300, staleWhileRevalidate: 60, staleIfError: 86400 };
const directives = (header: string): Record<string, number> =>
  Object.fromEntries(
    header
      .split(', ')
      .filter((d) => d.includes('='))
      .map((d) => {
        const [k, v] = d.split('=');
        return [k, Number(v)];
      }),
  );

describe('publicCacheHeaders', () => {
  const now = new Date('2027-01-31T12:00:00Z');

  it('without a scheduled unpublish: the configured header and no Expires', () => {
    expect(publicCacheHeaders(cache, null, now)).toEqual({
      cacheControl: publicCacheControl(cache),
    });
  });

  it('far from the unpublish: the configured lifetimes, Expires at now + max-age', () => {
    const h = publicCacheHeaders(cache, new Date(now.getTime() + 7 * 86400_000), now);
    expect(directives(h.cacheControl)).toEqual({
      'max-age': 60,
      's-maxage': 300,
      'stale-while-revalidate': 60,
      'stale-if-error': 86400,
    });
    expect(h.expires).toBe(new Date(now.getTime() + 60_000).toUTCString());
  });

  it('100 s before the unpublish: s-maxage 100 and nothing stale after it', () => {
    const h = publicCacheHeaders(cache, new Date(now.getTime() + 100_500), now);
    expect(directives(h.cacheControl)).toEqual({
      'max-age': 60,
      's-maxage': 100,
      'stale-while-revalidate': 0,
      'stale-if-error': 0,
    });
  });

  it('past the unpublish time (not yet run): nothing may be reused', () => {
    const h = publicCacheHeaders(cache, new Date(now.getTime() - 1000), now);
    expect(directives(h.cacheControl)).toEqual({
      'max-age': 0,
      's-maxage': 0,
      'stale-while-revalidate': 0,
      'stale-if-error': 0,
    });
    expect(h.expires).toBe(now.toUTCString());
  });

  it('no lifetime, fresh or stale, for CDN or browser, ever reaches past the unpublish', () => {
    const seconds = fc.integer({ min: 0, max: 200_000 });
    fc.assert(
      fc.property(
        seconds,
        seconds,
        seconds,
        seconds,
        fc.integer({ min: -10_000, max: 400_000_000 }),
        (maxAge, sMaxAge, swr, sie, leftMs) => {
          const config = { maxAge, sMaxAge, staleWhileRevalidate: swr, staleIfError: sie };
          const notAfter = new Date(now.getTime() + leftMs);
          const h = publicCacheHeaders(config, notAfter, now);
          const d = directives(h.cacheControl);
          const limit = Math.max(0, leftMs / 1000);
          for (const fresh of [d['max-age'], d['s-maxage']]) {
            expect(fresh + d['stale-while-revalidate']).toBeLessThanOrEqual(limit);
            expect(fresh + d['stale-if-error']).toBeLessThanOrEqual(limit);
          }
          expect(new Date(h.expires!).getTime()).toBeLessThanOrEqual(
            Math.max(now.getTime(), notAfter.getTime()),
          );
          // Never longer than configured.
          expect(d['s-maxage']).toBeLessThanOrEqual(sMaxAge);
          expect(d['stale-if-error']).toBeLessThanOrEqual(sie);
        },
      ),
    );
  });
});
