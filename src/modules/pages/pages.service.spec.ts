import { Types } from 'mongoose';
import { ErrorCode } from '../../core/errors/error-code';
import { DomainError } from '../../core/errors/domain.error';
import type { PagesRepository } from './pages.repository';
import { PagesService } from './pages.service';
import type { PageRecord } from './schemas/page.types';

const ctx = { requestId: 'req-42', actor: 'admin-token' };

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

/** A repository stub at the boundary: records the update the service asks for. */
function stubRepo(page: PageRecord, updateResult: 'apply' | 'stale' = 'apply') {
  const updates: Record<string, unknown>[] = [];
  const repo = {
    findById: jest.fn(async () => page),
    slugInUse: jest.fn(async () => false),
    saveRevision: jest.fn(async () => undefined),
    updateIfVersion: jest.fn(async (_id: unknown, _v: number, update: Record<string, unknown>) => {
      updates.push(update);
      if (updateResult === 'stale') return null;
      const set = update.$set as Partial<PageRecord>;
      return { ...page, ...set, version: page.version + 1 };
    }),
  };
  return { repo: repo as unknown as PagesRepository, updates, raw: repo };
}

describe('PagesService.publish', () => {
  it('writes live snapshot, status, revision and the CDN outbox entry in one conditional update', async () => {
    const page = record();
    const { repo, updates, raw } = stubRepo(page);
    await new PagesService(repo).publish(page._id.toHexString(), 3, ctx);

    expect(raw.updateIfVersion).toHaveBeenCalledTimes(1);
    expect(raw.updateIfVersion.mock.calls[0][1]).toBe(3);
    const update = updates[0] as {
      $set: Record<string, any>;
      $inc: object;
      $push: Record<string, any>;
    };
    expect(update.$set).toMatchObject({ status: 'published', revision: 1 });
    expect(update.$set.live.etag).toMatch(/^"/);
    expect(JSON.parse(update.$set.live.body)).toMatchObject({ slug: 'jane-doe', revision: 1 });
    expect(update.$inc).toEqual({ version: 1 });
    expect(update.$push.cdnOutbox).toMatchObject({
      reason: 'publish',
      requestId: 'req-42',
      paths: expect.arrayContaining(['/v1/pages/jane-doe', '/v1/pages']),
    });
    expect(raw.saveRevision).toHaveBeenCalledWith(
      expect.objectContaining({ revision: 1, slug: 'jane-doe' }),
    );
  });

  it('refuses a stale version before writing anything', async () => {
    const page = record({ version: 5 });
    const { repo, raw } = stubRepo(page);
    await expect(
      new PagesService(repo).publish(page._id.toHexString(), 4, ctx),
    ).rejects.toMatchObject({
      code: ErrorCode.VersionMismatch,
    });
    expect(raw.updateIfVersion).not.toHaveBeenCalled();
  });

  it('reports a version that moved during the write as 412, not as success', async () => {
    const page = record();
    const { repo } = stubRepo(page, 'stale');
    const error = await new PagesService(repo)
      .publish(page._id.toHexString(), 3, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.VersionMismatch);
  });
});

describe('PagesService.update', () => {
  it('renaming a published page re-renders live under the new slug and purges both slugs', async () => {
    const page = record({ status: 'published' });
    const { repo: base } = stubRepo(page);
    const published = await new PagesService(base).publish(page._id.toHexString(), 3, ctx);

    const { repo, updates } = stubRepo({ ...published, version: 4 });
    await new PagesService(repo).update(
      page._id.toHexString(),
      4,
      { slug: 'jane-doe-austin' },
      ctx,
    );
    const update = updates[0] as { $set: Record<string, any>; $push: Record<string, any> };
    expect(update.$set.slug).toBe('jane-doe-austin');
    expect(JSON.parse(update.$set.live.body).slug).toBe('jane-doe-austin');
    expect(update.$push.cdnOutbox.reason).toBe('slug-change');
    expect(update.$push.cdnOutbox.paths).toEqual(
      expect.arrayContaining(['/v1/pages/jane-doe', '/v1/pages/jane-doe-austin']),
    );
  });

  it('renaming a draft records no CDN work', async () => {
    const page = record();
    const { repo, updates } = stubRepo(page);
    await new PagesService(repo).update(page._id.toHexString(), 3, { slug: 'other' }, ctx);
    expect((updates[0] as { $push?: unknown }).$push).toBeUndefined();
  });
});
