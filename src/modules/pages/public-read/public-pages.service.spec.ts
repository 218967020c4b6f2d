import { PublicCache } from '../../../core/cache/public-cache';
import { AppConfig } from '../../../core/config/app-config';
import type { PagesRepository } from '../pages.repository';
import { PublicPagesService } from './public-pages.service';

const NO_CACHE = new PublicCache(
  AppConfig.fromEnvironment({
    MONGODB_URI: 'mongodb://db.example/pages',
    ADMIN_TOKEN: 'x'.repeat(32),
    PUBLIC_CACHE_TTL_MS: '0',
  }),
);

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
    const hit = await new PublicPagesService(repo, NO_CACHE).publicList(2);
    expect(
      JSON.parse(hit.value.body.toString()).items.map((i: { slug: string }) => i.slug),
    ).toEqual(['a', 'b']);
    expect(hit.value.notAfter).toEqual(soon);

    Object.assign(raw, { listPublished: jest.fn(async () => [row('a'), row('b')]) });
    expect((await new PublicPagesService(repo, NO_CACHE).publicList(2)).value.notAfter).toBeNull();
  });
});
