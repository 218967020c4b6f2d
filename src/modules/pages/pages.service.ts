import { Injectable, Logger } from '@nestjs/common';
import type { UpdateQuery } from 'mongoose';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { decodeCursor, encodeCursor } from '../../core/http/cursor';
import type { RequestContext } from '../../core/http/request-context';
import { outboxEntry } from '../cache-invalidation/outbox';
import type { CdnChangeReason } from '../cache-invalidation/outbox.types';
import { emptySchedule } from '../schedules/schemas/schedule.types';
import type { CreatePageDto } from './dto/create-page.dto';
import type { UpdatePageDto } from './dto/update-page.dto';
import { buildLiveSnapshot } from './live-snapshot';
import {
  AdminSummaryRecord,
  PagesRepository,
  PublicPageBody,
  PublishedSummaryRecord,
} from './pages.repository';
import type { PageContent, PageRecord, PageRevisionRecord, PageStatus } from './schemas/page.types';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const REQUIRED_FIELDS = ['title', 'agent', 'sponsor'] as const;
const OPTIONAL_FIELDS = ['summary', 'sections', 'seo'] as const;

@Injectable()
export class PagesService {
  private readonly logger = new Logger(PagesService.name);

  constructor(private readonly repo: PagesRepository) {}

  async create(dto: CreatePageDto, ctx: RequestContext): Promise<PageRecord> {
    const now = new Date();
    const draft: PageContent = {
      title: dto.title,
      summary: dto.summary,
      agent: { ...dto.agent },
      sponsor: { ...dto.sponsor },
      sections: (dto.sections ?? []).map((s) => ({ ...s })),
      seo: dto.seo ? { ...dto.seo } : undefined,
      schedule: emptySchedule(dto.timezone),
    };
    const page = await this.repo.insert({
      slug: dto.slug,
      status: 'draft',
      version: 1,
      draft: stripUndefined(draft),
      live: null,
      revision: 0,
      cdnOutbox: [],
      createdAt: now,
      updatedAt: now,
      createdBy: ctx.actor,
      updatedBy: ctx.actor,
    });
    this.audit('page.created', page, ctx);
    return page;
  }

  async get(id: string): Promise<PageRecord> {
    const page = await this.repo.findById(id);
    if (!page) throw new DomainError(ErrorCode.PageNotFound, `No page with id "${id}"`);
    return page;
  }

  /** Loads the page and checks the caller's If-Match version against it. */
  async getForWrite(id: string, version: number): Promise<PageRecord> {
    const page = await this.get(id);
    if (page.version !== version) throw versionMismatch(page.version, version);
    return page;
  }

  /**
   * Writes `update` if the page is still at `version`, bumping the version and stamping who
   * and when. The one path for every versioned page write (the schedules module uses it too).
   */
  async commit(
    page: PageRecord,
    version: number,
    ctx: RequestContext,
    set: Record<string, unknown>,
    extra: Pick<UpdateQuery<PageRecord>, '$push'> = {},
  ): Promise<PageRecord> {
    const updated = await this.repo.updateIfVersion(page._id, version, {
      $set: { ...set, updatedAt: new Date(), updatedBy: ctx.actor },
      $inc: { version: 1 },
      ...extra,
    });
    if (updated) return updated;
    const current = await this.repo.findById(page._id.toHexString());
    if (!current)
      throw new DomainError(ErrorCode.PageNotFound, `No page with id "${page._id.toHexString()}"`);
    throw versionMismatch(current.version, version);
  }

  /** `$push` that records the CDN paths a public change must invalidate, in the same update. */
  static invalidate(slugs: string[], reason: CdnChangeReason, ctx: RequestContext) {
    return { $push: { cdnOutbox: outboxEntry(slugs, reason, ctx.requestId) } };
  }

  async update(
    id: string,
    version: number,
    dto: UpdatePageDto,
    ctx: RequestContext,
  ): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    const draft: PageContent = { ...page.draft };
    for (const field of REQUIRED_FIELDS) {
      const value = dto[field];
      if (value === null)
        throw new DomainError(ErrorCode.ValidationFailed, `${field} must not be null`);
      if (value !== undefined) (draft as unknown as Record<string, unknown>)[field] = value;
    }
    for (const field of OPTIONAL_FIELDS) {
      const value = dto[field];
      if (value === null) delete draft[field];
      else if (value !== undefined) (draft as unknown as Record<string, unknown>)[field] = value;
    }
    if (draft.sections === undefined) draft.sections = [];

    const set: Record<string, unknown> = { draft: stripUndefined(draft) };
    let extra = {};
    if (dto.slug !== undefined && dto.slug !== page.slug) {
      if (await this.repo.slugInUse(dto.slug, page._id)) {
        throw new DomainError(
          ErrorCode.SlugTaken,
          `slug "${dto.slug}" is already used by another page`,
        );
      }
      set.slug = dto.slug;
      if (page.status === 'published' && page.live) {
        // The public URL moves now: re-render the live body under the new slug, purge both.
        set.live = buildLiveSnapshot(
          dto.slug,
          page.live.content,
          page.live.revision,
          page.live.publishedAt,
          new Date(),
        );
        extra = PagesService.invalidate([page.slug, dto.slug], 'slug-change', ctx);
      }
    }
    const updated = await this.commit(page, version, ctx, set, extra);
    this.audit(set.slug ? 'page.renamed' : 'page.updated', updated, ctx, { from: page.slug });
    return updated;
  }

  async publish(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    await this.recordLiveRevision(page, ctx.actor);
    const now = new Date();
    const revision = page.revision + 1;
    const live = buildLiveSnapshot(page.slug, page.draft, revision, now);
    const updated = await this.commit(
      page,
      version,
      ctx,
      { status: 'published', live, revision },
      PagesService.invalidate([page.slug], 'publish', ctx),
    );
    await this.repo.saveRevision(revisionOf(updated, revision, page.draft, live.etag, now, ctx));
    this.audit('page.published', updated, ctx, { revision });
    return updated;
  }

  async unpublish(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    if (page.status !== 'published') {
      throw new DomainError(ErrorCode.InvalidState, `page is ${page.status}, not published`);
    }
    const updated = await this.commit(
      page,
      version,
      ctx,
      { status: 'draft', live: null },
      PagesService.invalidate([page.slug], 'unpublish', ctx),
    );
    this.audit('page.unpublished', updated, ctx);
    return updated;
  }

  async archive(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    if (page.status === 'archived') {
      throw new DomainError(ErrorCode.InvalidState, 'page is already archived');
    }
    const wasLive = page.status === 'published';
    const updated = await this.commit(
      page,
      version,
      ctx,
      { status: 'archived', live: null },
      wasLive ? PagesService.invalidate([page.slug], 'archive', ctx) : {},
    );
    this.audit('page.archived', updated, ctx);
    return updated;
  }

  async remove(id: string, version: number, ctx: RequestContext): Promise<void> {
    const page = await this.getForWrite(id, version);
    if (page.status === 'published') {
      throw new DomainError(
        ErrorCode.InvalidState,
        'a published page cannot be deleted; unpublish or archive it first',
      );
    }
    if (page.cdnOutbox.length > 0) {
      throw new DomainError(
        ErrorCode.InvalidState,
        'CDN invalidations for this page are still pending; retry shortly',
      );
    }
    if (!(await this.repo.deleteIfVersion(page._id, version))) {
      const current = await this.get(id);
      throw versionMismatch(current.version, version);
    }
    this.audit('page.deleted', page, ctx);
  }

  async revisions(id: string): Promise<PageRevisionRecord[]> {
    const page = await this.get(id);
    await this.recordLiveRevision(page, page.updatedBy ?? 'unknown');
    return this.repo.listRevisions(page._id);
  }

  /**
   * A publish that died between its page write and its revision record left the live snapshot
   * unrecorded; recording it again is idempotent, so do it before it could be replaced or listed.
   */
  private async recordLiveRevision(page: PageRecord, actor: string): Promise<void> {
    if (!page.live) return;
    const { revision, content, etag, publishedAt } = page.live;
    await this.repo.saveRevision(revisionOf(page, revision, content, etag, publishedAt, { actor }));
  }

  async restore(
    id: string,
    revision: number,
    version: number,
    ctx: RequestContext,
  ): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    const record = await this.repo.findRevision(page._id, revision);
    if (!record)
      throw new DomainError(ErrorCode.RevisionNotFound, `page has no revision ${revision}`);
    const updated = await this.commit(page, version, ctx, { draft: record.content });
    this.audit('page.restored', updated, ctx, { revision });
    return updated;
  }

  async findPublic(slug: string): Promise<PublicPageBody> {
    const page = await this.repo.findPublicBody(slug);
    if (!page?.live)
      throw new DomainError(ErrorCode.PageNotFound, `No published page with slug "${slug}"`);
    return page;
  }

  async listPublished(limit: number, cursor?: string): Promise<Page<PublishedSummaryRecord>> {
    const after = cursor ? decodeCursor(cursor, isString) : undefined;
    const rows = await this.repo.listPublished(after, limit);
    return paginate(rows, limit, (last) => encodeCursor(last.slug));
  }

  async listAll(
    status: PageStatus | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<AdminSummaryRecord>> {
    const afterHex = cursor ? decodeCursor(cursor, isString) : undefined;
    const after = afterHex ? PagesRepository.toObjectId(afterHex) : undefined;
    if (after === null) throw new DomainError(ErrorCode.BadRequest, 'cursor is invalid');
    const rows = await this.repo.listAll(status, after, limit);
    return paginate(rows, limit, (last) => encodeCursor(last._id.toHexString()));
  }

  private audit(
    action: string,
    page: PageRecord,
    ctx: RequestContext,
    details: Record<string, unknown> = {},
  ): void {
    this.logger.log(
      {
        audit: {
          action,
          actor: ctx.actor,
          pageId: page._id.toHexString(),
          slug: page.slug,
          version: page.version,
          ...details,
        },
        requestId: ctx.requestId,
      },
      action,
    );
  }
}

function paginate<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}

function versionMismatch(current: number, given: number): DomainError {
  return new DomainError(
    ErrorCode.VersionMismatch,
    `page is at version ${current}, not ${given}; reload it and retry with If-Match: "${current}"`,
  );
}

function revisionOf(
  page: PageRecord,
  revision: number,
  content: PageContent,
  etag: string,
  publishedAt: Date,
  ctx: Pick<RequestContext, 'actor'>,
): Omit<PageRevisionRecord, '_id'> {
  return {
    pageId: page._id,
    revision,
    slug: page.slug,
    content,
    etag,
    publishedAt,
    publishedBy: ctx.actor,
  };
}

/** Drops undefined keys so stored documents have no null-vs-missing ambiguity. */
function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
