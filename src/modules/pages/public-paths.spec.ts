import { outboxEntry } from './page-outbox';
import { LIST_PATHS, pagePaths, publicChangePaths, publicPagePath } from './public-paths';

describe('public paths', () => {
  it('covers the page, its schedule views and the list', () => {
    expect(publicChangePaths(['jane-doe'])).toEqual(
      [...pagePaths('jane-doe'), ...LIST_PATHS].sort(),
    );
    expect(publicChangePaths(['jane-doe'], 'publish')).toEqual([
      '/v1/pages',
      '/v1/pages/jane-doe*',
      '/v1/pages?*',
    ]);
    expect(pagePaths('jane-doe')).toEqual(['/v1/pages/jane-doe*']);
  });

  // CloudFront semantics: a path ending in `*` matches every URL (path and query string) it is a
  // prefix of; any other path matches only itself, without query string.
  const covers = (paths: string[], url: string) =>
    paths.some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p));

  it.each([
    'publish',
    'unpublish',
    'archive',
    'slug-change',
    'restore',
    'schedule-change',
    'redirect-removed',
  ] as const)(
    'covers every public URL of the page, query-string variants included, on %s',
    (reason) => {
      const paths = publicChangePaths(['jane-doe'], reason);
      for (const url of [
        '/v1/pages/jane-doe',
        '/v1/pages/jane-doe?x=1',
        '/v1/pages/jane-doe?utm_source=mail&x=%20',
        '/v1/pages/jane-doe/schedule',
        '/v1/pages/jane-doe/schedule?from=2027-03-01&to=2027-03-31',
        '/v1/pages/jane-doe/schedule.ics',
        '/v1/pages/jane-doe/schedule.ics?r=1',
      ])
        expect(covers(paths, url)).toBe(true);
      expect(paths.filter((p) => p.endsWith('*') && p.startsWith('/v1/pages/'))).toHaveLength(1);
    },
  );

  it('leaves the list alone for a live schedule change or a removed redirect (the list shows neither)', () => {
    expect(publicChangePaths(['jane-doe'], 'schedule-change')).toEqual(['/v1/pages/jane-doe*']);
    expect(publicChangePaths(['jane-doe'], 'redirect-removed')).toEqual(['/v1/pages/jane-doe*']);
    for (const reason of ['publish', 'unpublish', 'archive', 'slug-change', 'restore'] as const)
      expect(publicChangePaths(['jane-doe'], reason)).toEqual(
        expect.arrayContaining([...LIST_PATHS]),
      );
  });

  it('covers both slugs of a rename, once each', () => {
    const paths = publicChangePaths(['old-slug', 'new-slug', 'old-slug'], 'slug-change');
    expect(paths).toContain('/v1/pages/old-slug*');
    expect(paths).toContain('/v1/pages/new-slug*');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('builds the Location of a redirect from the route, for the page and its schedule views', () => {
    expect(publicPagePath('new-slug')).toBe('/v1/pages/new-slug');
    expect(publicPagePath('new-slug', '/schedule')).toBe('/v1/pages/new-slug/schedule');
    expect(publicPagePath('new-slug', '/schedule.ics')).toBe('/v1/pages/new-slug/schedule.ics');
  });

  it('builds outbox entries with the paths of their reason and the causing request id', () => {
    const entry = outboxEntry(['a-page'], 'schedule-change', 'req-1');
    expect(entry).toMatchObject({ reason: 'schedule-change', requestId: 'req-1' });
    expect(entry.paths).toEqual(publicChangePaths(['a-page'], 'schedule-change'));
    expect(entry.id).toMatch(/^[0-9a-f]{24}$/);
  });
});
