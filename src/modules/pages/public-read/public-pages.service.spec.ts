import { PublicCache } from '../../../core/cache/public-cache';
import { AppConfig } from '../../../core/config/app-config';
import { FROM_PRIMARY, type PagesRepository } from '../pages.repository';
import { PublicPagesService } from './public-pages.service';

const CONFIG = AppConfig.fromEnvironment({
  MONGODB_URI: 'mongodb://db.example/pages',
  ADMIN_TOKEN: 'x'.repeat(32),
  PUBLIC_CACHE_TTL_MS: '0',
});
const NO_CACHE = new PublicCache(CONFIG);

describe('PublicPagesService.publicList', () => {
  const row = (slug: string, nextUnpublishAt: Date | null = null) => ({
    slug,
    nextUnpublishAt,
    live: {
      content: { title: slug, agent: { name: 'A' }, sponsor: { name: 'S' } },
      publishedAt: new Date('2027-01-01T00:00:00Z'),
    },
  });

  it('is not cacheable past the earliest scheduled unpublish among the pages it shows', async () => {
    const soon = new Date('2027-02-01T00:00:00Z');
    const later = new Date('2027-03-01T00:00:00Z');
    const earliestOfAll = new Date('2027-01-15T00:00:00Z');
    const raw: Record<string, unknown> = {};
    const repo = raw as unknown as PagesRepository;
    // limit 2: the third row only says there is more, and is not shown.
    const listed = [row('a', later), row('b', soon), row('c', earliestOfAll)];
    Object.assign(raw, { listPublished: jest.fn(async () => listed) });
    const hit = await new PublicPagesService(repo, NO_CACHE, CONFIG).publicList(2);
    expect(
      JSON.parse(hit.value.body.toString()).items.map((i: { slug: string }) => i.slug),
    ).toEqual(['a', 'b']);
    expect(hit.value.notAfter).toEqual(soon);

    Object.assign(raw, { listPublished: jest.fn(async () => [row('a'), row('b')]) });
    expect(
      (await new PublicPagesService(repo, NO_CACHE, CONFIG).publicList(2)).value.notAfter,
    ).toBeNull();
  });
});

describe('PublicPagesService: a pod reads its own writes from the primary', () => {
  it('loads a page and the list it just wrote from the primary for the replica-lag allowance, others as configured', async () => {
    const findPublicBody = jest.fn(async () => null);
    const findRedirectTarget = jest.fn(async () => null);
    const listPublished = jest.fn(async () => []);
    const repo = {
      findPublicBody,
      findRedirectTarget,
      listPublished,
    } as unknown as PagesRepository;
    const reads = new PublicPagesService(repo, NO_CACHE, CONFIG);
    reads.evictPages(['written'], true);
    await expect(reads.publicPage('written')).rejects.toThrow();
    await expect(reads.publicPage('other')).rejects.toThrow();
    await reads.publicList(10);
    expect(findPublicBody.mock.calls).toEqual([
      ['written', FROM_PRIMARY],
      ['other', undefined],
    ]);
    expect(findRedirectTarget.mock.calls[0]).toEqual(['written', FROM_PRIMARY]);
    expect(listPublished.mock.calls[0]).toEqual([undefined, 10, FROM_PRIMARY]);

    jest.useFakeTimers({ now: Date.now() + CONFIG.mongo.replicaLagAllowanceMs + 1 });
    try {
      await expect(reads.publicPage('written')).rejects.toThrow();
      expect(findPublicBody.mock.calls[2]).toEqual(['written', undefined]);
    } finally {
      jest.useRealTimers();
    }
  });
});
