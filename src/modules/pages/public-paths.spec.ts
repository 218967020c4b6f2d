import { outboxEntry } from './page-outbox';
import { LIST_PATHS, pagePaths, publicChangePaths } from './public-paths';

describe('public paths', () => {
  it('covers the page, its schedule views and the list', () => {
    expect(publicChangePaths(['jane-doe'])).toEqual(
      [...pagePaths('jane-doe'), ...LIST_PATHS].sort(),
    );
    expect(publicChangePaths(['jane-doe'], 'publish')).toEqual([
      '/v1/pages',
      '/v1/pages/jane-doe',
      '/v1/pages/jane-doe/schedule*',
      '/v1/pages?*',
    ]);
    expect(pagePaths('jane-doe')).toEqual(['/v1/pages/jane-doe', '/v1/pages/jane-doe/schedule*']);
  });

  it('leaves the list alone for a live schedule change (the list does not show schedules)', () => {
    expect(publicChangePaths(['jane-doe'], 'schedule-change')).toEqual([
      '/v1/pages/jane-doe',
      '/v1/pages/jane-doe/schedule*',
    ]);
    for (const reason of ['publish', 'unpublish', 'archive', 'slug-change', 'restore'] as const)
      expect(publicChangePaths(['jane-doe'], reason)).toEqual(
        expect.arrayContaining([...LIST_PATHS]),
      );
  });

  it('covers both slugs of a rename, once each', () => {
    const paths = publicChangePaths(['old-slug', 'new-slug', 'old-slug'], 'slug-change');
    expect(paths).toContain('/v1/pages/old-slug');
    expect(paths).toContain('/v1/pages/old-slug/schedule*');
    expect(paths).toContain('/v1/pages/new-slug');
    expect(paths).toContain('/v1/pages/new-slug/schedule*');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('builds outbox entries with the paths of their reason and the causing request id', () => {
    const entry = outboxEntry(['a-page'], 'schedule-change', 'req-1');
    expect(entry).toMatchObject({ reason: 'schedule-change', requestId: 'req-1' });
    expect(entry.paths).toEqual(publicChangePaths(['a-page'], 'schedule-change'));
    expect(entry.id).toMatch(/^[0-9a-f]{24}$/);
  });
});
