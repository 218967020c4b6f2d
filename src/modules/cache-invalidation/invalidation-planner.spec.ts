import fc from 'fast-check';
import {
  backoffMs,
  BATCH_LIMITS,
  callerReference,
  classifyError,
  deferralMs,
  fitInProgress,
  fitsInProgress,
  planBatch,
  widenPaths,
} from './invalidation-planner';
import { publicChangePaths } from '../pages/public-paths';
import { countPaths, invalidPathReason } from './cloudfront-paths';

const item = (id: string, paths: string[]) => ({ _id: id, paths });

describe('planBatch', () => {
  it('coalesces many changes into one batch with shared paths once', () => {
    const items = ['a', 'b', 'c'].map((s) => item(s, publicChangePaths([`page-${s}`], 'publish')));
    const plan = planBatch(items);
    expect(plan.items.map((i) => i._id)).toEqual(['a', 'b', 'c']);
    expect(plan.paths.filter((p) => p === '/v1/pages?*')).toHaveLength(1);
    expect(plan.paths).toHaveLength(2 + 3); // the list's two, one wildcard per page
  });

  it('never exceeds the wildcard or file limits, and skips an item that does not fit', () => {
    const limits = { files: 4, wildcards: 2 };
    const plan = planBatch(
      [
        item('1', ['/a*', '/b*']),
        item('2', ['/c*']), // would be a third wildcard
        item('3', ['/a*', '/x', '/y']), // shares /a*
        item('4', ['/z', '/w', '/v']), // five files
        item('5', ['/y', '/u']),
      ],
      limits,
    );
    expect(plan.items.map((i) => i._id)).toEqual(['1', '3', '5']);
    expect(plan.paths).toEqual(['/a*', '/b*', '/u', '/x', '/y']);
    expect(plan.oversized).toEqual([]);
  });

  it('reports an item that could never fit a batch on its own', () => {
    const plan = planBatch([item('big', ['/a*', '/b*', '/c*']), item('ok', ['/d'])], {
      files: 10,
      wildcards: 2,
    });
    expect(plan.oversized.map((i) => i._id)).toEqual(['big']);
    expect(plan.items.map((i) => i._id)).toEqual(['ok']);
  });

  it('respects CloudFront limits for any mix of changes (property)', () => {
    const slug = fc.stringMatching(/^[a-z]{3,6}$/);
    fc.assert(
      fc.property(
        fc.array(fc.array(slug, { minLength: 1, maxLength: 2 }), { maxLength: 60 }),
        (changes) => {
          const items = changes.map((slugs, i) => item(String(i), publicChangePaths(slugs)));
          const plan = planBatch(items);
          const counts = countPaths(plan.paths);
          expect(counts.wildcards).toBeLessThanOrEqual(BATCH_LIMITS.wildcards);
          expect(counts.files).toBeLessThanOrEqual(BATCH_LIMITS.files);
          // Every chosen item's paths are in the batch; something is always chosen when possible.
          for (const chosen of plan.items)
            for (const p of chosen.paths) expect(plan.paths).toContain(p);
          if (items.length > 0) expect(plan.items.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('fitsInProgress', () => {
  it('checks both limits against what is already in progress', () => {
    expect(fitsInProgress({ files: 2, wildcards: 5 }, { files: 0, wildcards: 10 })).toBe(true);
    expect(fitsInProgress({ files: 2, wildcards: 6 }, { files: 0, wildcards: 10 })).toBe(false);
    expect(fitsInProgress({ files: 2, wildcards: 0 }, { files: 2999, wildcards: 0 })).toBe(false);
  });
});

describe('callerReference', () => {
  it('is deterministic for a batch and its content, and differs across batches and contents', () => {
    const a = callerReference('b1', ['/x', '/y']);
    expect(callerReference('b1', ['/y', '/x'])).toBe(a);
    expect(callerReference('b2', ['/x', '/y'])).not.toBe(a);
    expect(callerReference('b1', ['/x'])).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(128);
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(4, 100, 10_000, () => 0)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (n, r) => {
          const ms = backoffMs(n, 100, 5000, () => r);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(5000);
        },
      ),
    );
  });
});

describe('classifyError', () => {
  const http = (name: string, status: number) =>
    Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });

  it('retries throttling, too many invalidations and 5xx; they created nothing', () => {
    for (const e of [
      http('Throttling', 400),
      http('TooManyInvalidationsInProgress', 400),
      http('ServiceUnavailable', 503),
      http('Unknown', 500),
    ])
      expect(classifyError(e)).toMatchObject({ retryable: true, maybeApplied: false });
  });

  it('marks throttling and too many invalidations as busy (deferred, not an attempt), 5xx not', () => {
    expect(classifyError(http('Throttling', 400)).busy).toBe('throttling');
    expect(classifyError(http('TooManyRequestsException', 429)).busy).toBe('throttling');
    expect(classifyError(http('Anything', 429)).busy).toBe('throttling');
    expect(classifyError(http('TooManyInvalidationsInProgress', 400)).busy).toBe(
      'too-many-in-progress',
    );
    expect(classifyError(http('ServiceUnavailable', 503)).busy).toBeUndefined();
    expect(classifyError(http('AccessDenied', 403)).busy).toBeUndefined();
  });

  it('does not retry other refusals', () => {
    expect(classifyError(http('InvalidArgument', 400)).retryable).toBe(false);
    expect(classifyError(http('NoSuchDistribution', 404)).retryable).toBe(false);
    expect(classifyError(http('AccessDenied', 403)).retryable).toBe(false);
  });

  it('treats an already used CallerReference as sent before: look it up, do not resend', () => {
    expect(classifyError(http('InvalidationBatchAlreadyExists', 409))).toMatchObject({
      retryable: true,
      maybeApplied: true,
    });
  });

  it('treats broken connections and timeouts as possibly applied, refused connections as not', () => {
    expect(
      classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    ).toMatchObject({ retryable: true, maybeApplied: true });
    expect(classifyError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({
      retryable: true,
      maybeApplied: true,
    });
    expect(classifyError(Object.assign(new Error('r'), { code: 'ECONNREFUSED' }))).toMatchObject({
      retryable: true,
      maybeApplied: false,
    });
  });
});

// CloudFront semantics: a wildcard covers every URL it is a prefix of; a file path only itself.
const covers = (paths: string[], url: string) =>
  paths.some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p));

const slugArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,12}$/);

describe('widenPaths', () => {
  it('merges the wildcards sharing the longest prefix first', () => {
    expect(
      widenPaths(['/v1/pages/alpha*', '/v1/pages/alpine*', '/v1/pages/beta*', '/v1/pages'], 2),
    ).toEqual(['/v1/pages', '/v1/pages/alp*', '/v1/pages/beta*']);
    expect(widenPaths(publicChangePaths(['alpha', 'beta'], 'publish'), 1)).toEqual(['/v1/pages*']);
    expect(widenPaths(['/v1/pages/a%2Fb*', '/v1/pages/a%2Ec*'], 1)).toEqual(['/v1/pages/a*']);
  });

  it('leaves paths that fit alone, and cannot widen into no wildcard at all', () => {
    const paths = publicChangePaths(['alpha', 'beta'], 'publish');
    expect(widenPaths(paths, 15)).toEqual(paths);
    expect(widenPaths(paths, 0)).toBeNull();
  });

  it('keeps everything invalidated, within the budget, as legal CloudFront paths', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(slugArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 15 }),
        (slugs, budget) => {
          const paths = publicChangePaths(slugs, 'publish');
          const widened = widenPaths(paths, budget)!;
          expect(countPaths(widened).wildcards).toBeLessThanOrEqual(budget);
          for (const p of widened) expect(invalidPathReason(p)).toBeNull();
          for (const slug of slugs)
            for (const url of [`/v1/pages/${slug}`, `/v1/pages/${slug}?x=1`, '/v1/pages?limit=2'])
              expect(covers(widened, url)).toBe(true);
          for (const p of paths)
            expect(covers(widened, p.endsWith('*') ? p.slice(0, -1) : p)).toBe(true);
        },
      ),
    );
  });
});

describe('fitInProgress', () => {
  const paths = publicChangePaths(['alpha', 'alpine', 'beta'], 'publish'); // 4 wildcards
  it('sends the paths as they are while they fit', () => {
    expect(fitInProgress(paths, { files: 0, wildcards: 11 })).toEqual(paths);
  });
  it('widens into the wildcards left rather than waiting', () => {
    expect(fitInProgress(paths, { files: 0, wildcards: 13 })).toEqual([
      '/v1/pages',
      '/v1/pages/*',
      '/v1/pages?*',
    ]);
  });
  it('waits when no wildcard is left', () => {
    expect(fitInProgress(paths, { files: 0, wildcards: 15 })).toBeNull();
  });
});

describe('deferralMs', () => {
  it('grows with the deferrals, stays in the upper half of its ceiling, and never exceeds the max', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const ceiling = Math.min(400, 50 * 2 ** (n - 1));
          const d = deferralMs(n, 50, 400, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(d).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
