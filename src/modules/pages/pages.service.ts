import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { roleIncludes } from '../../core/auth/roles';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { actorOf, type RequestContext } from '../../core/http/request-context';
import { MAX_PAGE_CONTENT_BYTES } from '../../core/http/request-shape';
import { checkScheduleWindow, parseInstant } from '../../core/time/instant';
import { stripUndefined } from '../../core/util/strip-undefined';
import { type AuditAction, auditEntry, changedPaths } from '../audit/audit-entry';
import { AuditService } from '../audit/audit.service';
import type { CreatePageDto } from './dto/create-page.dto';
import type { SponsorshipTermDto, UpdatePageDto } from './dto/update-page.dto';
import { buildLiveSnapshot } from './live-snapshot';
import { PageAuditOutbox } from './page-audit-outbox';
import { outboxEntry } from './page-outbox';
import { listShowsChange } from './public-paths';
import { PublicPagesService } from './public-read/public-pages.service';
import { PageChange, PagesRepository } from './pages.repository';
import type {
  PageContent,
  PageRecord,
  PageRevisionRecord,
  SponsorshipTerm,
} from './schemas/page.types';
import { emptySchedule, type Schedule } from './schemas/schedule.types';
import { SponsorshipTerms } from './sponsorship-terms';

/** A schedule edit as the schedules module hands it over: new copies of either schedule. */
export interface ScheduleChange {
  draft?: Schedule;
  live?: Schedule;
}

/** A due scheduled action, as the page-actions module hands it over to be written. */
export interface ScheduledActionWrite {
  id: string;
  kind: 'publish' | 'unpublish' | 'archive';
  /** For a publish: the approved content, snapshotted when the action was created. */
  content?: PageContent;
}

/** What the audit record of a write names besides actor, page and version. */
export interface AuditNote {
  action: AuditAction;
  details?: Record<string, unknown>;
}
const REQUIRED_FIELDS = ['title', 'agent', 'sponsor'] as const;
const OPTIONAL_FIELDS = ['summary', 'sections', 'seo'] as const;

/** Most former slugs a page keeps (each is a redirect and a path in every invalidation). */
export const MAX_REDIRECTS = 20;

@Injectable()
export class PagesService {
  private readonly logger = new Logger(PagesService.name);

  constructor(
    private readonly repo: PagesRepository,
    private readonly publicReads: PublicPagesService,
    private readonly auditOutbox: PageAuditOutbox,
    private readonly auditTrail: AuditService,
    private readonly terms: SponsorshipTerms,
  ) {}

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
    assertContentSize(draft, 'draft');
    // A current slug's uniqueness is the unique index's (insert); a former one's is checked here.
    await this.assertNotRedirecting(dto.slug);
    const audit = auditEntry(
      ctx,
      {
        action: 'page.created',
        page: { id: '', slug: dto.slug },
        version: { before: null, after: 1 },
        changes: ['slug', ...changedPaths({}, stripUndefined(draft), 'draft')],
      },
      now,
    );
    const _id = PagesRepository.newId();
    audit.page = { id: _id.toHexString(), slug: dto.slug };
    const page = await this.repo.insert({
      _id,
      slug: dto.slug,
      status: 'draft',
      version: 1,
      draft: stripUndefined(draft),
      live: null,
      revision: 0,
      cdnOutbox: [],
      auditOutbox: [audit],
      createdAt: now,
      updatedAt: now,
      createdBy: ctx.actor,
      createdById: actorOf(ctx).id,
      updatedBy: ctx.actor,
      updatedById: actorOf(ctx).id,
    });
    this.log('page.created', page, ctx);
    await this.auditOutbox.deliver(page._id.toHexString(), audit);
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
   * Writes `change` if the page is still at `version` (bumping it), then records the audit entry.
   * The one path for every versioned page write.
   */
  private async write(
    page: PageRecord,
    version: number,
    ctx: RequestContext,
    change: PageChange,
    note: AuditNote,
  ): Promise<PageRecord> {
    assertContentSize(change.draft, 'draft');
    assertContentSize(change.live?.content, 'live content');
    // A write that replaces or removes the live snapshot first makes sure the revision it holds
    // is recorded (idempotent): a publish whose revision record was lost to a crash or an error
    // keeps its only copy in that snapshot until then.
    if (change.live !== undefined && page.live) await this.recordLiveRevision(page);
    const at = new Date();
    const audit = auditEntry(
      ctx,
      {
        action: note.action,
        page: { id: page._id.toHexString(), slug: change.slug ?? page.slug },
        version: { before: version, after: version + 1 },
        changes: changesOf(page, change),
        ...(note.details ? { details: note.details } : {}),
      },
      at,
    );
    const updated = await this.repo.applyIfVersion(
      page._id,
      version,
      change,
      { actor: ctx.actor, actorId: actorOf(ctx).id, at },
      audit,
    );
    if (!updated) {
      const current = await this.repo.findById(page._id.toHexString());
      if (!current)
        throw new DomainError(
          ErrorCode.PageNotFound,
          `No page with id "${page._id.toHexString()}"`,
        );
      throw versionMismatch(current.version, version);
    }
    // Every change of a public body records an outbox entry, and a new scheduled unpublish
    // changes how long the public responses may be cached: this pod drops its own copies now
    // (read-your-writes on one pod); other pods' copies end with their TTL.
    if (change.outbox) this.evictPublic(page, updated, listShowsChange(change.outbox.reason));
    else if (change.nextUnpublishAt !== undefined && page.status === 'published')
      this.evictPublic(page, updated, true);
    this.log(note.action, updated, ctx, note.details);
    await this.auditOutbox.deliver(updated._id.toHexString(), audit);
    return updated;
  }

  /**
   * Drops this pod's cached public responses of a page that it just wrote: the page under each
   * of its slugs before and after (current, new, former: bodies, redirects, "not found"s) and,
   * unless the list cannot show the change, every cached list page.
   */
  private evictPublic(before: PageRecord, after: PageRecord, list: boolean): void {
    this.publicReads.evictPages(
      [before.slug, after.slug, ...(before.formerSlugs ?? []), ...(after.formerSlugs ?? [])],
      list,
    );
  }

  /**
   * A schedule edit: the draft schedule and/or the live one. A live change re-renders the live
   * body (so its ETag changes) and records the page's CDN paths in the same write. Other draft
   * edits stay unpublished.
   */
  async changeSchedule(
    page: PageRecord,
    version: number,
    ctx: RequestContext,
    schedules: ScheduleChange,
    note: AuditNote,
  ): Promise<PageRecord> {
    const change: PageChange = {};
    if (schedules.draft)
      change.draft = { ...page.draft, schedule: stripUndefined(schedules.draft) };
    if (schedules.live) {
      if (page.status !== 'published' || !page.live)
        throw new DomainError(ErrorCode.InvalidState, `page is ${page.status}, not published`);
      const content = { ...page.live.content, schedule: stripUndefined(schedules.live) };
      change.live = buildLiveSnapshot(
        page.slug,
        content,
        page.live.revision,
        page.live.publishedAt,
        new Date(),
      );
      change.outbox = outboxEntry([page.slug], 'schedule-change', ctx.requestId);
    }
    return this.write(page, version, ctx, change, {
      action: note.action,
      details: { ...note.details, live: Boolean(schedules.live) },
    });
  }

  async update(
    id: string,
    version: number,
    dto: UpdatePageDto,
    ctx: RequestContext,
  ): Promise<PageRecord> {
    // A term publishes and unpublishes the page on its own: it needs the role that may publish.
    if (dto.sponsorship !== undefined && !isPublisher(ctx))
      throw await this.refuse(
        ctx,
        'setting or removing a sponsorship term requires the publisher role',
      );
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

    const change: PageChange = { draft: stripUndefined(draft) };
    if (dto.slug !== undefined && dto.slug !== page.slug)
      Object.assign(change, await this.slugChange(page, dto.slug, ctx));
    if (dto.sponsorship !== undefined) {
      const term = dto.sponsorship && sponsorshipTerm(page, dto.sponsorship, version, ctx);
      change.sponsorship = term;
      change.termSync = {
        syncId: new Types.ObjectId().toHexString(),
        term,
        content: term?.approvedVersion ? (change.draft ?? page.draft) : null,
      };
    }
    const updated = await this.write(page, version, ctx, change, {
      action: change.slug ? 'page.renamed' : 'page.updated',
      details: {
        from: page.slug,
        ...(dto.sponsorship !== undefined ? { sponsorship: change.sponsorship ?? null } : {}),
      },
    });
    if (dto.sponsorship === undefined) return updated;
    // The term is stored with its termSync; scheduling it now lets the answer show its actions.
    await this.terms.changed(id, ctx);
    return (await this.repo.findById(id)) ?? updated;
  }

  /**
   * The change that renames `page` to `slug`. On a published page the public URL moves: that is
   * a publisher's act, the old slug becomes a redirect to the new one (a former slug), and the
   * live body is re-rendered under the new slug. A page that is not published is renamed by an
   * editor and gains no redirect (no public URL moved). `page` is the primary's copy at the
   * version the write is guarded by, so the status decided on is the status written over: a
   * publish in between moves the version and this write gets 412.
   */
  private async slugChange(
    page: PageRecord,
    slug: string,
    ctx: RequestContext,
  ): Promise<PageChange> {
    const live = page.status === 'published' && page.live;
    if (live && !isPublisher(ctx))
      throw await this.refuse(
        ctx,
        'changing the slug of a published page moves its public URL (the old one redirects to ' +
          'the new): that requires the publisher role; an editor may rename a page while it is ' +
          'not published',
        page,
      );
    await this.assertSlugFree(slug, page._id);
    // Taking back a former slug ends its redirect; the slug left behind by a live page starts one.
    const former = (page.formerSlugs ?? []).filter((s) => s !== slug);
    const change: PageChange = { slug };
    if (live) {
      former.push(page.slug);
      if (former.length > MAX_REDIRECTS)
        throw new DomainError(
          ErrorCode.InvalidState,
          `the page already redirects from ${MAX_REDIRECTS} former slugs; remove one ` +
            `(DELETE /admin/v1/pages/${page._id.toHexString()}/redirects/{slug}) first`,
        );
      change.live = buildLiveSnapshot(
        slug,
        live.content,
        live.revision,
        live.publishedAt,
        new Date(),
      );
      // The old and new URLs, and every former slug's redirect (it now points elsewhere).
      change.outbox = outboxEntry(
        [page.slug, slug, ...(page.formerSlugs ?? [])],
        'slug-change',
        ctx.requestId,
      );
    }
    if (former.join('/') !== (page.formerSlugs ?? []).join('/')) change.formerSlugs = former;
    return change;
  }

  /**
   * The 403 of a PATCH whose content needs more than the route's role, audited as the access
   * guard audits a refused route (`auth.forbidden`); an audit failure does not change the answer.
   */
  private async refuse(
    ctx: RequestContext,
    reason: string,
    page?: PageRecord,
  ): Promise<DomainError> {
    const entry = auditEntry(ctx, {
      action: 'auth.forbidden',
      target: { type: 'route', id: 'PATCH /admin/v1/pages/:id' },
      ...(page ? { page: { id: page._id.toHexString(), slug: page.slug } } : {}),
      details: { required: 'publisher', reason },
    });
    await this.auditTrail
      .record(entry)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, requestId: ctx.requestId }, 'could not audit a refusal'),
      );
    return new DomainError(ErrorCode.Forbidden, reason);
  }

  /**
   * A slug may be taken only if no other page holds it, as its current slug or as a former one
   * (a redirect): a former slug is freed by removing its redirect, never taken over silently.
   * Two writers racing for one slug across pages can still both pass (no multi-document
   * atomicity); a current slug then wins over a redirect on every public read.
   */
  private async assertSlugFree(slug: string, pageId: Types.ObjectId): Promise<void> {
    if (await this.repo.slugInUse(slug, pageId))
      throw new DomainError(ErrorCode.SlugTaken, `slug "${slug}" is already used by another page`);
    await this.assertNotRedirecting(slug, pageId);
  }

  private async assertNotRedirecting(slug: string, pageId?: Types.ObjectId): Promise<void> {
    const owner = await this.repo.redirectingPage(slug, pageId);
    if (owner)
      throw new DomainError(
        ErrorCode.SlugTaken,
        `slug "${slug}" is a former slug of page ${owner} and redirects to it; a publisher can ` +
          `remove that redirect (DELETE /admin/v1/pages/${owner}/redirects/${slug}) to free it`,
      );
  }

  /**
   * Removes the redirect from a former slug of the page: the slug answers 404 and is free for
   * any page. A versioned, audited write; when the page is live, its CDN paths are invalidated.
   */
  async removeRedirect(
    id: string,
    slug: string,
    version: number,
    ctx: RequestContext,
  ): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    const former = page.formerSlugs ?? [];
    if (!former.includes(slug))
      throw new DomainError(ErrorCode.NotFound, `the page has no redirect from slug "${slug}"`);
    const change: PageChange = { formerSlugs: former.filter((s) => s !== slug) };
    // Not live: the redirect answered 404 already, and the edge was purged when it went offline.
    if (page.status === 'published')
      change.outbox = outboxEntry([slug], 'redirect-removed', ctx.requestId);
    return this.write(page, version, ctx, change, {
      action: 'page.redirect-removed',
      details: { slug },
    });
  }

  // --- intents of the page-actions module ---------------------------------------------------

  /** The page as a scheduled action decides on it (from the primary), or null if it is gone. */
  findForAction(id: string): Promise<PageRecord | null> {
    return this.repo.findById(id);
  }

  /**
   * Applies a due scheduled action through the normal write path (version guard, revision, CDN
   * outbox, audit), stamping `lastActionId` in the same update so a re-run is recognised.
   */
  async applyScheduledAction(
    page: PageRecord,
    version: number,
    action: ScheduledActionWrite,
    ctx: RequestContext,
  ): Promise<PageRecord> {
    const details = { scheduledActionId: action.id };
    switch (action.kind) {
      case 'publish': {
        if (!action.content)
          throw new DomainError(ErrorCode.InvalidState, 'a publish needs its approved content');
        return this.writePublish(page, version, ctx, action.content, action.id);
      }
      case 'unpublish':
        return this.write(
          page,
          version,
          ctx,
          { ...unpublishChange(page, ctx), lastActionId: action.id },
          { action: 'page.unpublished', details },
        );
      case 'archive':
        return this.write(
          page,
          version,
          ctx,
          { ...archiveChange(page, ctx), lastActionId: action.id },
          { action: 'page.archived', details },
        );
    }
  }

  /** Pages whose term change is not yet scheduled (an interrupted PATCH), by the indexed flag. */
  async pendingTerms(limit: number): Promise<string[]> {
    return (await this.repo.pendingTerms(limit)).map((p) => p._id.toHexString());
  }

  /**
   * Stores the next scheduled unpublish (computed by `nextUnpublishAt` from the page as read)
   * and, with `syncId`, acknowledges that term change. Retried on a version race, so the value
   * written was computed after the last concurrent write: never a stale, later instant.
   */
  async syncTermSchedule(
    pageId: string,
    ctx: RequestContext,
    nextUnpublishAt: (page: PageRecord) => Promise<Date | null>,
    syncId?: string,
  ): Promise<PageRecord | null> {
    for (let attempt = 0; ; attempt++) {
      const page = await this.repo.findById(pageId);
      if (!page) return null;
      const next = await nextUnpublishAt(page);
      const change: PageChange = {};
      if ((page.nextUnpublishAt?.getTime() ?? null) !== (next?.getTime() ?? null))
        change.nextUnpublishAt = next;
      if (syncId && page.termSync?.syncId === syncId) change.termSync = null;
      if (Object.keys(change).length === 0) return page;
      try {
        return await this.write(page, page.version, ctx, change, {
          action: 'page.schedule-synced',
          details: { nextUnpublishAt: next?.toISOString() ?? null },
        });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === ErrorCode.VersionMismatch))
          throw error;
        if (attempt >= 10) throw error;
      }
    }
  }

  async publish(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    return this.writePublish(page, version, ctx, page.draft);
  }

  /** A publish of `content` (the draft, or a scheduled action's approved snapshot). */
  private async writePublish(
    page: PageRecord,
    version: number,
    ctx: RequestContext,
    content: PageContent,
    actionId?: string,
  ): Promise<PageRecord> {
    const now = new Date();
    const revision = page.revision + 1;
    const live = {
      ...buildLiveSnapshot(page.slug, content, revision, now),
      publishedBy: ctx.actor,
      publishedById: actorOf(ctx).id,
    };
    const updated = await this.write(
      page,
      version,
      ctx,
      {
        status: 'published',
        live,
        revision,
        // The former slugs' redirects start answering again: their cached 404s go too.
        outbox: outboxEntry(publicSlugs(page), 'publish', ctx.requestId),
        ...(actionId ? { lastActionId: actionId } : {}),
      },
      {
        action: 'page.published',
        details: { revision, ...(actionId ? { scheduledActionId: actionId } : {}) },
      },
    );
    // The publish happened: a failure to record its revision now must not turn it into an error.
    // The live snapshot holds everything the record needs, and write() records it before
    // anything replaces or removes that snapshot, so nothing is lost (see recordLiveRevision).
    await this.recordLiveRevision(updated).catch((error: unknown) =>
      this.logger.warn(
        { err: error, pageId: page._id.toHexString(), revision, requestId: ctx.requestId },
        'revision record deferred: it is recorded from the live snapshot before that changes',
      ),
    );
    return updated;
  }

  async unpublish(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    if (page.status !== 'published') {
      throw new DomainError(ErrorCode.InvalidState, `page is ${page.status}, not published`);
    }
    return this.write(page, version, ctx, unpublishChange(page, ctx), {
      action: 'page.unpublished',
    });
  }

  async archive(id: string, version: number, ctx: RequestContext): Promise<PageRecord> {
    const page = await this.getForWrite(id, version);
    if (page.status === 'archived') {
      throw new DomainError(ErrorCode.InvalidState, 'page is already archived');
    }
    return this.write(page, version, ctx, archiveChange(page, ctx), { action: 'page.archived' });
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
    // The entry cannot ride in the document it deletes: written ahead as an intent, confirmed
    // or discarded right after, and resolved by the drain loop if this process dies in between.
    const audit = auditEntry(ctx, {
      action: 'page.deleted',
      page: { id: page._id.toHexString(), slug: page.slug },
      version: { before: version, after: null },
    });
    await this.auditTrail.intend(audit);
    let deleted: boolean;
    try {
      deleted = await this.repo.deleteIfVersion(page._id, version);
    } catch (error) {
      await this.auditTrail.discard(audit).catch(() => undefined);
      throw error;
    }
    if (!deleted) {
      await this.auditTrail.discard(audit);
      const current = await this.get(id);
      throw versionMismatch(current.version, version);
    }
    await this.auditTrail.confirm(audit);
    this.log('page.deleted', page, ctx);
  }

  async revisions(id: string): Promise<PageRevisionRecord[]> {
    const page = await this.get(id);
    await this.recordLiveRevision(page);
    return this.repo.listRevisions(page._id);
  }

  /**
   * A publish that died between its page write and its revision record left the live snapshot
   * unrecorded; recording it again is idempotent, so do it before it could be replaced or listed.
   */
  private async recordLiveRevision(page: PageRecord): Promise<void> {
    if (!page.live) return;
    const { revision, content, etag, publishedAt, publishedBy, publishedById } = page.live;
    await this.repo.saveRevision({
      pageId: page._id,
      revision,
      slug: page.slug,
      content,
      etag,
      publishedAt,
      publishedBy: publishedBy ?? page.updatedBy ?? 'unknown',
      ...(publishedById ? { publishedById } : {}),
    });
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
    return this.write(
      page,
      version,
      ctx,
      { draft: record.content },
      { action: 'page.restored', details: { revision } },
    );
  }

  /** The log line of a change (searchable in OpenSearch); the audit event is the record. */
  private log(
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

/** Refuses content over MAX_PAGE_CONTENT_BYTES (as JSON), naming its size and the bound. */
function assertContentSize(content: PageContent | undefined, what: string): void {
  if (!content) return;
  const bytes = Buffer.byteLength(JSON.stringify(content));
  if (bytes > MAX_PAGE_CONTENT_BYTES)
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `the page's ${what} would take ${Math.ceil(bytes / 1024)} KiB as JSON; a page holds at ` +
        `most ${MAX_PAGE_CONTENT_BYTES / 1024} KiB (remove events, sections or text)`,
    );
}

const isPublisher = (ctx: RequestContext): boolean =>
  Boolean(ctx.identity && roleIncludes(ctx.identity.role, 'publisher'));

/**
 * Every slug a page answers under while published: the current one and its redirects. Going
 * online or offline changes what each of them answers (`200`/`301` or `404`).
 */
function publicSlugs(page: PageRecord): string[] {
  return [page.slug, ...(page.formerSlugs ?? [])];
}

function unpublishChange(page: PageRecord, ctx: RequestContext): PageChange {
  return {
    status: 'draft',
    live: null,
    outbox: outboxEntry(publicSlugs(page), 'unpublish', ctx.requestId),
  };
}

function archiveChange(page: PageRecord, ctx: RequestContext): PageChange {
  const wasLive = page.status === 'published';
  return {
    status: 'archived',
    live: null,
    ...(wasLive ? { outbox: outboxEntry(publicSlugs(page), 'archive', ctx.requestId) } : {}),
  };
}

/**
 * The term a PATCH sets: instants only. The end must lie ahead (within 2 years); so must the
 * start unless the page is already live (then the term only schedules its unpublish). The
 * approved version is the one this write creates: its draft is what goes live at the start.
 */
function sponsorshipTerm(
  page: PageRecord,
  dto: SponsorshipTermDto,
  version: number,
  ctx: RequestContext,
): SponsorshipTerm {
  if (page.status === 'archived')
    throw new DomainError(
      ErrorCode.InvalidState,
      'an archived page cannot take a sponsorship term',
    );
  const now = new Date();
  const startsAt = parseInstant('sponsorship.startsAt', dto.startsAt, dto.timezone);
  const endsAt = parseInstant('sponsorship.endsAt', dto.endsAt, dto.timezone);
  if (endsAt.getTime() <= startsAt.getTime())
    throw new DomainError(
      ErrorCode.ValidationFailed,
      'sponsorship.endsAt must be after sponsorship.startsAt',
    );
  checkScheduleWindow('sponsorship.endsAt', endsAt, now);
  const live = page.status === 'published';
  if (!live) checkScheduleWindow('sponsorship.startsAt', startsAt, now);
  return {
    termId: new Types.ObjectId().toHexString(),
    startsAt,
    endsAt,
    approvedVersion: live ? null : version + 1,
    setAt: now,
    setBy: ctx.actor,
    setById: actorOf(ctx).id,
  };
}

function versionMismatch(current: number, given: number): DomainError {
  return new DomainError(
    ErrorCode.VersionMismatch,
    `page is at version ${current}, not ${given}; reload it and retry with If-Match: "${current}"`,
  );
}

/** Field paths a change touches, for the audit trail (the content diff two levels deep). */
function changesOf(page: PageRecord, change: PageChange): string[] {
  const paths: string[] = [];
  if (change.slug !== undefined && change.slug !== page.slug) paths.push('slug');
  if (
    change.formerSlugs !== undefined &&
    change.formerSlugs.join('/') !== (page.formerSlugs ?? []).join('/')
  )
    paths.push('formerSlugs');
  if (change.status !== undefined && change.status !== page.status) paths.push('status');
  if (change.draft) paths.push(...changedPaths(page.draft, change.draft, 'draft'));
  if (change.live !== undefined)
    paths.push(
      ...(change.live && page.live
        ? changedPaths(page.live.content, change.live.content, 'live.content')
        : ['live']),
    );
  if (change.revision !== undefined && change.revision !== page.revision) paths.push('revision');
  return paths;
}
