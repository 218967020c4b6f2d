import fc from 'fast-check';
import { outboxEntry } from './outbox';
import {
  countPaths,
  invalidPathReason,
  LIST_PATHS,
  pagePaths,
  publicChangePaths,
} from './public-paths';

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

  it('produces only paths CloudFront accepts, for any valid slug', () => {
    const slug = fc.stringMatching(/^[a-z0-9-]{3,80}$/);
    fc.assert(
      fc.property(fc.array(slug, { minLength: 1, maxLength: 3 }), (slugs) => {
        const paths = publicChangePaths(slugs, 'slug-change');
        for (const p of paths) expect(invalidPathReason(p)).toBeNull();
        // One wildcard per distinct page plus the list's.
        expect(countPaths(paths).wildcards).toBe(new Set(slugs).size + 1);
      }),
    );
  });

  it('validates admin paths: leading slash, legal characters, wildcard only at the end', () => {
    expect(invalidPathReason('/v1/pages/a')).toBeNull();
    expect(invalidPathReason('/*')).toBeNull();
    expect(invalidPathReason('/v1/pages?*')).toBeNull();
    expect(invalidPathReason('/caf%C3%A9')).toBeNull();
    expect(invalidPathReason('v1/pages')).toMatch(/start with/);
    expect(invalidPathReason('/v1/*/pages')).toMatch(/last character/);
    expect(invalidPathReason('/a b')).toMatch(/URL-encode/);
    expect(invalidPathReason('/café')).toMatch(/URL-encode/);
    expect(invalidPathReason('/50%')).toMatch(/%XX/);
    expect(invalidPathReason(`/${'a'.repeat(4000)}`)).toMatch(/at most/);
  });
});
