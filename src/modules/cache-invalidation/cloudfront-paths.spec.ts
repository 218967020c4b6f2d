import fc from 'fast-check';
import { publicChangePaths } from '../pages/public-paths';
import { countPaths, invalidPathReason } from './cloudfront-paths';

describe('CloudFront paths', () => {
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
