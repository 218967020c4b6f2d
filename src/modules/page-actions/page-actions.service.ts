import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { type CursorPage, decodeCursor, paginate } from '../../core/http/cursor';
import { actorOf, type RequestContext } from '../../core/http/request-context';
import { type AuditEntry, auditEntry } from '../audit/audit-entry';
import type { AuditOutboxSource } from '../audit/audit-outbox';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { checkScheduleWindow, parseInstant } from '../../core/time/instant';
import { PagesService } from '../pages/pages.service';
import type { PageRecord, SponsorshipTerm } from '../pages/schemas/page.types';
import { SponsorshipTerms, type SponsorshipTermObserver } from '../pages/sponsorship-terms';
import { nextOfflineAt } from './action-decision';
import type { CreateActionDto, ListActionsQuery } from './dto/page-action.dto';
import { CANCEL_OWNER, type ListCursor, PageActionsRepository } from './page-actions.repository';
import type { ActionKind, PageActionRecord } from './schemas/page-action.types';

const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as ListCursor).at === 'number' &&
  typeof (v as ListCursor).id === 'string';

/**
 * Scheduled actions on pages: the admin resource, and the sponsorship terms set through the
 * page's PATCH (this module observes them through the pages module's SponsorshipTerms port).
 * Creating or cancelling an action is audited like a page write: the entry rides in the
 * action's own insert or update (`auditOutbox`) and is delivered from there.
 */
@Injectable()
export class PageActionsService
  implements OnModuleInit, SponsorshipTermObserver, AuditOutboxSource
{
  readonly name = 'page_actions';
  private readonly logger = new Logger(PageActionsService.name);

  constructor(
    private readonly repo: PageActionsRepository,
    private readonly pages: PagesService,
    private readonly terms: SponsorshipTerms,
    private readonly auditTrail: AuditService,
  ) {}

  onModuleInit(): void {
    this.terms.attach(this);
    this.auditTrail.register(this);
  }

  // --- AuditOutboxSource ---------------------------------------------------------------------

  pending(before: Date, limit: number): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    return this.repo.pendingAuditEntries(before, limit);
  }

  acknowledge(ownerId: string, entry: AuditEntry): Promise<void> {
    return this.repo.removeAuditEntry(ownerId, entry);
  }

  async create(
    pageId: string,
    dto: CreateActionDto,
    ctx: RequestContext,
  ): Promise<PageActionRecord> {
    const page = await this.pages.get(pageId);
    const at = parseInstant('at', dto.at, dto.timezone);
    checkScheduleWindow('at', at, await this.repo.databaseNow());
    if (dto.kind === 'publish') {
      if (dto.version === undefined)
        throw new DomainError(
          ErrorCode.ValidationFailed,
          'version: a publish names the draft version approved (the page version)',
        );
      // The draft is snapshotted now, as approved: drafts keep no history to go back to.
      if (dto.version !== page.version)
        throw new DomainError(
          ErrorCode.VersionMismatch,
          `the draft is at version ${page.version}, not ${dto.version}; review it and approve that version`,
        );
    }
    const now = new Date();
    const action = newAction(page, dto.kind, at, ctx, now, {
      _id: new Types.ObjectId().toHexString(),
      source: 'api',
      ...(dto.kind === 'publish' ? { approvedVersion: page.version, content: page.draft } : {}),
    });
    if ((await this.repo.insert(action)) === 'duplicate')
      throw new DomainError(
        ErrorCode.Conflict,
        `the page already has an action scheduled at ${at.toISOString()}`,
      );
    await this.delivered(action);
    this.log('page-action.created', action, ctx);
    await this.refreshNextUnpublish(pageId, ctx);
    return action;
  }

  async get(actionId: string): Promise<PageActionRecord> {
    const action = await this.repo.findById(actionId);
    if (!action)
      throw new DomainError(ErrorCode.ActionNotFound, `No scheduled action with id "${actionId}"`);
    return action;
  }

  async listForPage(
    pageId: string,
    query: ListActionsQuery,
  ): Promise<CursorPage<PageActionRecord>> {
    const page = await this.pages.get(pageId);
    const rows = await this.repo.listForPage(
      page._id.toHexString(),
      window(query),
      cursorOf(query),
      query.limit,
    );
    return paginate(rows, query.limit, toCursor);
  }

  async listUpcoming(query: ListActionsQuery): Promise<CursorPage<PageActionRecord>> {
    const rows = await this.repo.listOpen(window(query), cursorOf(query), query.limit);
    return paginate(rows, query.limit, toCursor);
  }

  /** Cancels a scheduled action; one being run (or finished) cannot be, that is 409. */
  async cancel(actionId: string, ctx: RequestContext): Promise<PageActionRecord> {
    const action = await this.get(actionId);
    if (action.status === 'cancelled') return action;
    const page = await this.pages.findForAction(action.pageId);
    if (!(await this.cancelScheduled(action, ctx, page?.slug)))
      throw new DomainError(
        ErrorCode.InvalidState,
        `the action is ${(await this.get(actionId)).status}, it can no longer be cancelled`,
      );
    const cancelled = await this.get(actionId);
    this.log('page-action.cancelled', cancelled, ctx);
    await this.refreshNextUnpublish(action.pageId, ctx);
    return cancelled;
  }

  /**
   * A cancellation competes with the scheduler for the action's next lease generation (a token
   * insert, atomic on FerretDB too): exactly one of them wins, so an action is either run or
   * cancelled, never both.
   */
  private async cancelScheduled(
    action: PageActionRecord,
    ctx: RequestContext,
    slug?: string,
  ): Promise<boolean> {
    if (action.status !== 'scheduled') return false;
    const gen = action.leaseGen + 1;
    const now = await this.repo.databaseNow();
    if (!(await this.repo.takeToken(`lease:${action._id}:${gen}`, CANCEL_OWNER, now))) {
      const token = await this.repo.findToken(`lease:${action._id}:${gen}`);
      if (token?.owner !== CANCEL_OWNER) return false;
    }
    const entry = actionAudit('page-action.cancelled', action, ctx, slug);
    if (await this.repo.markCancelled(action, gen, now, entry))
      await this.auditTrail.deliver(this, action._id, entry);
    return true;
  }

  /** Delivers the creation entry an action was inserted with. */
  private async delivered(action: PageActionRecord): Promise<void> {
    for (const entry of action.auditOutbox ?? [])
      await this.auditTrail.deliver(this, action._id, entry);
  }

  /**
   * Turns the page's pending term change into actions: the old term's open actions are
   * cancelled (or, if one is running, it skips itself: its term no longer matches the page), the
   * new term's publish and unpublish are created (deterministic ids: a re-run adds nothing), then
   * the next unpublish is stored on the page with the acknowledgement. Idempotent.
   */
  async termChanged(pageId: string, ctx: RequestContext): Promise<void> {
    const page = await this.pages.findForAction(pageId);
    const sync = page?.termSync;
    if (!page || !sync) return;
    const term = sync.term;
    for (const open of await this.repo.openOfPage(pageId))
      if (open.source === 'term' && open.termId !== term?.termId && open.status === 'scheduled')
        await this.cancelScheduled(open, ctx, page.slug);
    if (term) {
      if (sync.content && term.approvedVersion)
        await this.ensureTermAction(page, term, 'publish', term.startsAt, ctx, {
          approvedVersion: term.approvedVersion,
          content: sync.content,
        });
      await this.ensureTermAction(page, term, 'unpublish', term.endsAt, ctx);
    }
    await this.pages.syncTermSchedule(pageId, ctx, (p) => this.nextOffline(p), sync.syncId);
    this.logger.log(
      { pageId, termId: term?.termId ?? null, requestId: ctx.requestId },
      'sponsorship term scheduled',
    );
  }

  private async ensureTermAction(
    page: PageRecord,
    term: SponsorshipTerm,
    kind: ActionKind,
    at: Date,
    ctx: RequestContext,
    extra: Partial<PageActionRecord> = {},
  ): Promise<void> {
    const _id = `${term.termId}-${kind}`;
    const action = newAction(page, kind, at, ctx, new Date(), {
      _id,
      source: 'term',
      termId: term.termId,
      createdBy: term.setBy,
      ...(term.setById ? { createdById: term.setById } : {}),
      ...extra,
    });
    if ((await this.repo.insert(action)) === 'inserted') return this.delivered(action);
    if (await this.repo.findById(_id)) return; // a re-run: it exists
    // Another action holds the instant. A term's actions must exist whatever else is scheduled:
    // it takes a slot of its own and runs after that one (ordering is by time, then id).
    const moved = { ...action, slot: `${action.slot}:term:${kind}` };
    if ((await this.repo.insert(moved)) === 'inserted') await this.delivered(moved);
  }

  /** Stores the page's next unpublish instant (public caching ends by it). */
  async refreshNextUnpublish(pageId: string, ctx: RequestContext): Promise<void> {
    await this.pages.syncTermSchedule(pageId, ctx, (p) => this.nextOffline(p));
  }

  private async nextOffline(page: PageRecord): Promise<Date | null> {
    return nextOfflineAt(page, await this.repo.openOfPage(page._id.toHexString()));
  }

  /** The log line of a change (searchable in OpenSearch); the audit event is the record. */
  private log(action: string, record: PageActionRecord, ctx: RequestContext): void {
    this.logger.log(
      {
        audit: {
          action,
          actor: ctx.actor,
          pageId: record.pageId,
          actionId: record._id,
          kind: record.kind,
          at: record.at.toISOString(),
          status: record.status,
        },
        requestId: ctx.requestId,
      },
      action,
    );
  }
}

function newAction(
  page: PageRecord,
  kind: ActionKind,
  at: Date,
  ctx: RequestContext,
  now: Date,
  fields: Pick<PageActionRecord, '_id' | 'source'> & Partial<PageActionRecord>,
): PageActionRecord {
  const pageId = page._id.toHexString();
  const who = actorOf(ctx);
  const action: PageActionRecord = {
    pageId,
    kind,
    at,
    status: 'scheduled',
    slot: `${pageId}:${at.getTime()}`,
    createdAt: now,
    createdBy: who.name,
    createdById: who.id,
    requestId: ctx.requestId,
    leaseGen: 0,
    leaseOwner: null,
    leaseUntil: null,
    attempts: 0,
    updatedAt: now,
    ...fields,
  };
  // The creation's audit entry rides in the insert: the action and its record, or neither.
  return {
    ...action,
    auditOutbox: [actionAudit('page-action.created', action, ctx, page.slug, now)],
  };
}

/** The audit entry of an action's creation or cancellation. */
function actionAudit(
  action: 'page-action.created' | 'page-action.cancelled',
  record: PageActionRecord,
  ctx: RequestContext,
  slug?: string,
  at = new Date(),
): AuditEntry {
  return auditEntry(
    ctx,
    {
      action,
      ...(slug ? { page: { id: record.pageId, slug } } : {}),
      target: { type: 'page-action', id: record._id },
      details: {
        kind: record.kind,
        at: record.at.toISOString(),
        source: record.source,
        ...(record.termId ? { termId: record.termId } : {}),
        ...(record.approvedVersion !== undefined
          ? { approvedVersion: record.approvedVersion }
          : {}),
      },
    },
    at,
  );
}

function window(query: ListActionsQuery): { from?: Date; to?: Date } {
  const from = query.from ? parseInstant('from', query.from) : undefined;
  const to = query.to ? parseInstant('to', query.to) : undefined;
  if (from && to && to.getTime() <= from.getTime())
    throw new DomainError(ErrorCode.ValidationFailed, 'to must be after from');
  return { from, to };
}

const cursorOf = (query: ListActionsQuery): ListCursor | undefined =>
  query.cursor ? decodeCursor(query.cursor, isListCursor) : undefined;
const toCursor = (last: PageActionRecord): ListCursor => ({ at: last.at.getTime(), id: last._id });
