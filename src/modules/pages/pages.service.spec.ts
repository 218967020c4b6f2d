import { SponsorshipTerms } from './sponsorship-terms';
import { Types } from 'mongoose';
import { PublicCache } from '../../core/cache/public-cache';
import { AppConfig } from '../../core/config/app-config';
import { ErrorCode } from '../../core/errors/error-code';
import { DomainError } from '../../core/errors/domain.error';
import type { PageChange, PagesRepository } from './pages.repository';
import type { AuditService } from '../audit/audit.service';
import type { PageAuditOutbox } from './page-audit-outbox';
import { MAX_REDIRECTS, PagesService } from './pages.service';
import { PublicPagesService } from './public-read/public-pages.service';
import type { PageRecord } from './schemas/page.types';

const ctx = { requestId: 'req-42', actor: 'admin-token' };
const CONFIG = AppConfig.fromEnvironment({
  MONGODB_URI: 'mongodb://db.example/pages',
  ADMIN_TOKEN: 'x'.repeat(32),
  PUBLIC_CACHE_TTL_MS: '0',
});
const NO_CACHE = new PublicCache(CONFIG);

function record(overrides: Partial<PageRecord> = {}): PageRecord {
  const now = new Date('2027-01-01T00:00:00Z');
  return {
    _id: new Types.ObjectId(),
    slug: 'jane-doe',
    status: 'draft',
    version: 3,
    draft: {
      title: 'Jane',
      agent: { name: 'Jane' },
      sponsor: { name: 'Acme', disclosure: 'Sponsored by Acme' },
      sections: [],
      schedule: { timezone: 'UTC', events: [] },
    },
    live: null,
    revision: 0,
    cdnOutbox: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A repository stub at the boundary: records the change the service asks for. */
function stubRepo(page: PageRecord, updateResult: 'apply' | 'stale' = 'apply') {
  const updates: PageChange[] = [];
  const repo = {
    findById: jest.fn(async () => page),
    slugInUse: jest.fn(async () => false),
    redirectingPage: jest.fn(async (): Promise<string | null> => null),
    saveRevision: jest.fn(async () => undefined),
    applyIfVersion: jest.fn(
      async (_id: unknown, _v: number, change: PageChange, _s?: unknown, _a?: unknown) => {
        updates.push(change);
        if (updateResult === 'stale') return null;
        const { outbox, ...fields } = change;
        return {
          ...page,
          ...fields,
          cdnOutbox: outbox ? [...page.cdnOutbox, outbox] : page.cdnOutbox,
          version: page.version + 1,
        };
      },
    ),
  };
  return { repo: repo as unknown as PagesRepository, updates, raw: repo };
}

const deliveries: unknown[] = [];
function newService(repo: PagesRepository, cache: PublicCache = NO_CACHE): PagesService {
  const outbox = {
    deliver: jest.fn(async (_id: string, entry: unknown) => void deliveries.push(entry)),
  };
  const audit = {
    intend: jest.fn(),
    confirm: jest.fn(),
    discard: jest.fn(),
    record: jest.fn(async () => undefined),
  };
  return new PagesService(
    repo,
    new PublicPagesService(repo, cache, CONFIG),
    outbox as unknown as PageAuditOutbox,
    audit as unknown as AuditService,
    new SponsorshipTerms(),
  );
}

describe('PagesService audit entries', () => {
  it('carry actor, versions and changed paths in the same update as the change, then are delivered', async () => {
    const page = record();
    const { repo, raw } = stubRepo(page);
    deliveries.length = 0;
    const identity = { kind: 'token' as const, id: 't-1', name: 'alice', role: 'editor' as const };
    await newService(repo).update(
      page._id.toHexString(),
      3,
      { title: 'Jane Doe' },
      { ...ctx, actor: 'alice', identity, sourceIp: '203.0.113.5' },
    );
    const entry = raw.applyIfVersion.mock.calls[0][4];
    expect(entry).toMatchObject({
      action: 'page.updated',
      actor: { kind: 'token', id: 't-1', name: 'alice' },
      role: 'editor',
      page: { id: page._id.toHexString(), slug: 'jane-doe' },
      version: { before: 3, after: 4 },
      changes: ['draft.title'],
      requestId: 'req-42',
      sourceIp: '203.0.113.5',
    });
    expect(deliveries).toEqual([entry]);
  });

  it('are not delivered when the version check refuses the write', async () => {
    const page = record();
    const { repo } = stubRepo(page, 'stale');
    deliveries.length = 0;
    await expect(
      newService(repo).update(page._id.toHexString(), 3, { title: 'x' }, ctx),
    ).rejects.toBeInstanceOf(DomainError);
    expect(deliveries).toEqual([]);
  });
});

describe('PagesService.publish', () => {
  it('writes live snapshot, status, revision and the CDN outbox entry in one conditional update', async () => {
    const page = record();
    const { repo, updates, raw } = stubRepo(page);
    await newService(repo).publish(page._id.toHexString(), 3, ctx);

    expect(raw.applyIfVersion).toHaveBeenCalledTimes(1);
    expect(raw.applyIfVersion.mock.calls[0][1]).toBe(3);
    const change = updates[0];
    expect(change).toMatchObject({ status: 'published', revision: 1 });
    expect(change.live?.etag).toMatch(/^"/);
    expect(JSON.parse(change.live!.body)).toMatchObject({ slug: 'jane-doe', revision: 1 });
    expect(change.outbox).toMatchObject({
      reason: 'publish',
      requestId: 'req-42',
      paths: expect.arrayContaining(['/v1/pages/jane-doe*', '/v1/pages']),
    });
    expect(raw.saveRevision).toHaveBeenCalledWith(
      expect.objectContaining({ revision: 1, slug: 'jane-doe' }),
    );
  });

  it('refuses a stale version before writing anything', async () => {
    const page = record({ version: 5 });
    const { repo, raw } = stubRepo(page);
    await expect(newService(repo).publish(page._id.toHexString(), 4, ctx)).rejects.toMatchObject({
      code: ErrorCode.VersionMismatch,
    });
    expect(raw.applyIfVersion).not.toHaveBeenCalled();
  });

  it('reports a version that moved during the write as 412, not as success', async () => {
    const page = record();
    const { repo } = stubRepo(page, 'stale');
    const error = await newService(repo)
      .publish(page._id.toHexString(), 3, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.VersionMismatch);
  });
});

describe('PagesService.update', () => {
  const as = (role: 'editor' | 'publisher') => ({
    ...ctx,
    identity: { kind: 'token' as const, id: `t-${role}`, name: role, role },
  });
  async function publishedPage(overrides: Partial<PageRecord> = {}): Promise<PageRecord> {
    const page = record(overrides);
    const { repo } = stubRepo(page);
    return { ...(await newService(repo).publish(page._id.toHexString(), 3, ctx)), version: 4 };
  }

  it('renaming a published page re-renders live under the new slug, keeps the old one as a redirect and purges both', async () => {
    const published = await publishedPage();
    const { repo, updates } = stubRepo(published);
    const id = published._id.toHexString();
    await newService(repo).update(id, 4, { slug: 'jane-doe-austin' }, as('publisher'));
    const change = updates[0];
    expect(change.slug).toBe('jane-doe-austin');
    expect(change.formerSlugs).toEqual(['jane-doe']);
    expect(JSON.parse(change.live!.body).slug).toBe('jane-doe-austin');
    expect(change.outbox?.reason).toBe('slug-change');
    expect(change.outbox?.paths).toEqual(
      expect.arrayContaining(['/v1/pages/jane-doe*', '/v1/pages/jane-doe-austin*']),
    );
  });

  it('refuses an editor the slug of a published page, before any write', async () => {
    const published = await publishedPage();
    const { repo, raw } = stubRepo(published);
    const id = published._id.toHexString();
    const refused = newService(repo).update(id, 4, { slug: 'elsewhere' }, as('editor'));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(refused).rejects.toThrow(/publisher role/);
    expect(raw.applyIfVersion).not.toHaveBeenCalled();
    // Other fields of the same page are the editor's.
    await newService(repo).update(id, 4, { title: 'Edited' }, as('editor'));
    expect(raw.applyIfVersion).toHaveBeenCalledTimes(1);
  });

  it('renaming a draft is an editor’s, records no CDN work and no redirect', async () => {
    const page = record();
    const { repo, updates } = stubRepo(page);
    await newService(repo).update(page._id.toHexString(), 3, { slug: 'other' }, as('editor'));
    expect(updates[0].outbox).toBeUndefined();
    expect(updates[0].formerSlugs).toBeUndefined();
  });

  it('a rename back to a former slug ends that redirect; every former slug is purged with the page', async () => {
    const published = await publishedPage({ slug: 'now-here', formerSlugs: ['first', 'second'] });
    const { repo, updates } = stubRepo(published);
    const id = published._id.toHexString();
    await newService(repo).update(id, 4, { slug: 'first' }, as('publisher'));
    expect(updates[0].formerSlugs).toEqual(['second', 'now-here']);
    expect(updates[0].outbox?.paths).toEqual(
      expect.arrayContaining([
        '/v1/pages/first*',
        '/v1/pages/second*',
        '/v1/pages/now-here*',
        '/v1/pages',
      ]),
    );
  });

  it('refuses a slug that another page redirects from (409 naming how to free it), and more than MAX_REDIRECTS', async () => {
    const published = await publishedPage();
    const { repo, raw } = stubRepo(published);
    raw.redirectingPage.mockResolvedValueOnce('65f000000000000000000001');
    const id = published._id.toHexString();
    await expect(
      newService(repo).update(id, 4, { slug: 'taken' }, as('publisher')),
    ).rejects.toMatchObject({
      code: ErrorCode.SlugTaken,
      message: expect.stringContaining('/admin/v1/pages/65f000000000000000000001/redirects/taken'),
    });
    const full = await publishedPage({
      formerSlugs: Array.from({ length: MAX_REDIRECTS }, (_, i) => `old-${i}`),
    });
    const { repo: fullRepo, raw: fullRaw } = stubRepo(full);
    await expect(
      newService(fullRepo).update(full._id.toHexString(), 4, { slug: 'one-more' }, as('publisher')),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    expect(fullRaw.applyIfVersion).not.toHaveBeenCalled();
    expect(raw.applyIfVersion).not.toHaveBeenCalled();
  });

  it('evicts this pod’s cached responses of every slug of the page, and the list pages, after a public change', async () => {
    const evict = jest.fn();
    const cache = { evict } as unknown as PublicCache;
    const published = await publishedPage({ formerSlugs: ['older'] });
    const { repo } = stubRepo(published);
    const id = published._id.toHexString();
    await newService(repo, cache).update(id, 4, { slug: 'newer' }, as('publisher'));
    expect(evict).toHaveBeenCalledTimes(1);
    const [keys, groups] = evict.mock.calls[0] as [string[], string[]];
    expect([...keys].sort()).toEqual(['page:jane-doe', 'page:newer', 'page:older']);
    expect(groups).toEqual(['list']);
    // A draft edit changes no public response: nothing evicted.
    await newService(repo, cache).update(id, 4, { title: 'Draft only' }, as('publisher'));
    expect(evict).toHaveBeenCalledTimes(1);
  });
});

describe('PagesService.changeSchedule', () => {
  const schedule = {
    timezone: 'America/Chicago',
    events: [] as PageRecord['draft']['schedule']['events'],
  };

  it('a draft-only edit writes the draft schedule and records no CDN work', async () => {
    const page = record();
    const { repo, updates } = stubRepo(page);
    await newService(repo).changeSchedule(
      page,
      3,
      ctx,
      { draft: schedule },
      { action: 'schedule.event-added' },
    );
    expect(updates[0].draft?.schedule).toEqual(schedule);
    expect(updates[0].draft?.title).toBe('Jane');
    expect(updates[0].live).toBeUndefined();
    expect(updates[0].outbox).toBeUndefined();
  });

  it('a live edit re-renders the live body (new ETag) and records the page paths, not the list', async () => {
    const page = record();
    const { repo: base } = stubRepo(page);
    const published = await newService(base).publish(page._id.toHexString(), 3, ctx);

    const { repo, updates } = stubRepo({ ...published, version: 4 });
    await newService(repo).changeSchedule(
      { ...published, version: 4 },
      4,
      ctx,
      { live: schedule },
      { action: 'schedule.timezone-set' },
    );
    const change = updates[0];
    expect(change.draft).toBeUndefined();
    expect(JSON.parse(change.live!.body).schedule.timezone).toBe('America/Chicago');
    expect(change.live!.etag).not.toBe(published.live!.etag);
    expect(change.live!.revision).toBe(published.live!.revision);
    expect(change.outbox).toMatchObject({ reason: 'schedule-change', requestId: 'req-42' });
    expect(change.outbox!.paths).not.toContain('/v1/pages');
  });

  it('refuses a live edit of a page that is not published, writing nothing', async () => {
    const page = record();
    const { repo, raw } = stubRepo(page);
    await expect(
      newService(repo).changeSchedule(
        page,
        3,
        ctx,
        { live: schedule },
        { action: 'schedule.event-added' },
      ),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    expect(raw.applyIfVersion).not.toHaveBeenCalled();
  });
});

describe('PagesService revisions after the fact', () => {
  it('a publish whose revision record fails is still a publish (no 500 for a change that happened)', async () => {
    const page = record();
    const { repo, raw } = stubRepo(page);
    raw.saveRevision.mockRejectedValueOnce(new Error('connection reset'));
    const published = await newService(repo).publish(page._id.toHexString(), 3, ctx);
    expect(published.status).toBe('published');
    expect(raw.applyIfVersion).toHaveBeenCalledTimes(1);
  });

  it('records the live revision before an unpublish removes its only copy', async () => {
    const page = record();
    const { repo: base } = stubRepo(page);
    const published = await newService(base).publish(page._id.toHexString(), 3, ctx);

    const { repo, raw } = stubRepo({ ...published, version: 4 });
    const order: string[] = [];
    raw.saveRevision.mockImplementation(async () => void order.push('revision'));
    const apply = raw.applyIfVersion.getMockImplementation()!;
    raw.applyIfVersion.mockImplementation(async (...args) => {
      order.push('page');
      return apply(...args);
    });
    await newService(repo).unpublish(page._id.toHexString(), 4, ctx);
    expect(order).toEqual(['revision', 'page']);
    expect(raw.saveRevision).toHaveBeenCalledWith(
      expect.objectContaining({
        revision: 1,
        etag: published.live!.etag,
        publishedBy: 'admin-token',
      }),
    );
  });
});
