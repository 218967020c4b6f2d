import { LIST_PATHS, pagePaths, publicChangePaths } from './public-paths';

describe('public paths', () => {
  it('covers the page, its schedule views and the list', () => {
    expect(publicChangePaths(['jane-doe'])).toEqual(
      [...pagePaths('jane-doe'), ...LIST_PATHS].sort(),
    );
    expect(pagePaths('jane-doe')).toEqual(['/v1/pages/jane-doe', '/v1/pages/jane-doe/schedule*']);
  });

  it('covers both slugs of a rename, once each', () => {
    const paths = publicChangePaths(['old-slug', 'new-slug', 'old-slug']);
    expect(paths).toContain('/v1/pages/old-slug');
    expect(paths).toContain('/v1/pages/new-slug');
    expect(new Set(paths).size).toBe(paths.length);
  });
});
