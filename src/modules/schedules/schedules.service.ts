import type { AuditAction } from '../audit/audit-entry';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { contentEtag } from '../../core/http/preconditions';
import type { RequestContext } from '../../core/http/request-context';
import { PagesService } from '../pages/pages.service';
import {
  isMoved,
  type PageMoved,
  PublicPagesService,
} from '../pages/public-read/public-pages.service';
import type { PageRecord } from '../pages/schemas/page.types';
import { emptySchedule, type Schedule } from '../pages/schemas/schedule.types';
import type { OccurrencesQuery } from './dto/occurrences.dto';
import { buildIcalFeed } from './ical-feed';
import { parseLocalDate } from './local-time';
import { expandSchedule } from './occurrences';
import { RenderTurns } from './render-turns';
import { toOccurrencesResponse } from './schedule.presenter';
import {
  addEvent,
  cancelOccurrence,
  type EditResult,
  type EventInput,
  type EventPatch,
  patchEvent,
  removeEvent,
  restoreOccurrence,
  setTimezone,
} from './schedule-editor';
import { canonicalBound, resolveWindow } from './schedule-window';

type Copy = 'draft' | 'live';
type Edit = (schedule: Schedule, copy: Copy, now: Date) => EditResult;

export interface ScheduleWrite {
  page: PageRecord;
  /** The draft's result (the admin API answers with the draft's view of the event). */
  draft: EditResult;
}

/** A cacheable public representation; `render` runs only when the ETag did not match. */
export interface CachedRepresentation {
  etag: string;
  lastModified: Date;
  /** A scheduled unpublish: no cache may keep the representation past it. */
  notAfter?: Date | null;
  render(): string;
}

function notLive(eventId: string): DomainError {
  return new DomainError(
    ErrorCode.InvalidState,
    `event "${eventId}" is not on the live page; publish the page to make it live`,
  );
}

/** Runs `edit` on the live copy, where "no such event" means it was never published. */
function onLive(
  edit: () => EditResult,
  eventId?: string,
  missingIsNoop = false,
): EditResult | null {
  try {
    return edit();
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.EventNotFound && eventId) {
      if (missingIsNoop) return null;
      throw notLive(eventId);
    }
    if (error instanceof DomainError && error.code === ErrorCode.ValidationFailed)
      throw new DomainError(error.code, `${error.message} (on the live page)`);
    throw error;
  }
}

@Injectable()
export class SchedulesService {
  /**
   * Rendered bodies by ETag. The ETag names the live snapshot (and window and caps), so an entry
   * can never be stale: a change makes a new ETag and the old entry just ages out. Bounded by the
   * bytes it holds, not by entries, since one feed can weigh as much as a thousand windows.
   */
  private readonly rendered: LRUCache<string, string> | null;
  private readonly turns = new RenderTurns();

  constructor(
    private readonly pages: PagesService,
    private readonly publicPages: PublicPagesService,
    private readonly config: AppConfig,
  ) {
    const maxSize = config.schedules.cacheMaxBytes;
    this.rendered =
      maxSize > 0
        ? new LRUCache<string, string>({ maxSize, sizeCalculation: (v) => Buffer.byteLength(v) })
        : null;
  }

  // ---- admin writes ------------------------------------------------------------------------

  async setTimezone(
    id: string,
    version: number,
    timezone: string,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    return this.write(id, version, live, ctx, 'schedule.timezone-set', (schedule, _copy, now) =>
      setTimezone(schedule, timezone, now),
    );
  }

  async addEvent(
    id: string,
    version: number,
    input: EventInput,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    const eventId = randomUUID();
    const max = this.config.schedules.maxEvents;
    return this.write(id, version, live, ctx, 'schedule.event-added', (schedule, _copy, now) =>
      addEvent(schedule, input, eventId, now, max),
    );
  }

  async updateEvent(
    id: string,
    version: number,
    eventId: string,
    patch: EventPatch,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    return this.write(id, version, live, ctx, 'schedule.event-updated', (schedule, copy, now) =>
      copy === 'draft'
        ? patchEvent(schedule, eventId, patch, now)
        : (onLive(() => patchEvent(schedule, eventId, patch, now), eventId) as EditResult),
    );
  }

  async removeEvent(
    id: string,
    version: number,
    eventId: string,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    return this.write(id, version, live, ctx, 'schedule.event-removed', (schedule, copy) =>
      copy === 'draft'
        ? removeEvent(schedule, eventId)
        : (onLive(() => removeEvent(schedule, eventId), eventId, true) ?? {
            schedule,
            changed: false,
          }),
    );
  }

  async cancelOccurrence(
    id: string,
    version: number,
    eventId: string,
    date: string,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    return this.write(
      id,
      version,
      live,
      ctx,
      'schedule.occurrence-cancelled',
      (schedule, copy, now) =>
        copy === 'draft'
          ? cancelOccurrence(schedule, eventId, date, now)
          : (onLive(() => cancelOccurrence(schedule, eventId, date, now), eventId) as EditResult),
      { eventId, date },
    );
  }

  async restoreOccurrence(
    id: string,
    version: number,
    eventId: string,
    date: string,
    live: boolean,
    ctx: RequestContext,
  ): Promise<ScheduleWrite> {
    if (!parseLocalDate(date))
      throw new DomainError(ErrorCode.ValidationFailed, `date must be a date YYYY-MM-DD`);
    const result = await this.write(
      id,
      version,
      live,
      ctx,
      'schedule.occurrence-restored',
      (schedule, copy, now) =>
        copy === 'draft'
          ? restoreOccurrence(schedule, eventId, date, now)
          : (onLive(() => restoreOccurrence(schedule, eventId, date, now), eventId, true) ?? {
              schedule,
              changed: false,
            }),
      { eventId, date },
    );
    if (!result.wrote)
      throw new DomainError(ErrorCode.NotFound, `the occurrence on ${date} is not cancelled`);
    return result;
  }

  /**
   * Runs `edit` on the draft schedule and, with `live`, on the live one too, then hands both
   * results to the pages module as one schedule change (one version-checked write). FerretDB and
   * DocumentDB have no positional array updates, so each schedule is written whole.
   */
  private async write(
    id: string,
    version: number,
    live: boolean,
    ctx: RequestContext,
    action: AuditAction,
    edit: Edit,
    details: Record<string, unknown> = {},
  ): Promise<ScheduleWrite & { wrote: boolean }> {
    const page = await this.pages.getForWrite(id, version);
    if (live && (page.status !== 'published' || !page.live))
      throw new DomainError(
        ErrorCode.InvalidState,
        `page is ${page.status}, not published: live=true needs a live page`,
      );
    const now = new Date();
    const draft = edit(page.draft.schedule ?? emptySchedule(), 'draft', now);
    const liveResult = live && page.live ? edit(page.live.content.schedule, 'live', now) : null;
    if (!draft.changed && !liveResult?.changed) return { page, draft, wrote: false };

    const updated = await this.pages.changeSchedule(
      page,
      version,
      ctx,
      {
        draft: draft.changed ? draft.schedule : undefined,
        live: liveResult?.changed ? liveResult.schedule : undefined,
      },
      { action, details: { eventId: draft.event?.id, ...details } },
    );
    return { page: updated, draft, wrote: true };
  }

  // ---- public reads ------------------------------------------------------------------------

  /** The occurrences in the window, or where the page moved when `slug` is a former slug. */
  async occurrences(
    slug: string,
    query: OccurrencesQuery,
  ): Promise<CachedRepresentation | PageMoved> {
    const record = await this.publicPages.findLiveSchedule(slug);
    if (isMoved(record)) return record;
    const schedule = record.live.content.schedule ?? emptySchedule();
    const window = resolveWindow(
      query,
      schedule.timezone,
      new Date(),
      this.config.schedules.defaultWindowDays,
    );
    const limits = {
      maxPerEvent: this.config.schedules.maxOccurrencesPerEvent,
      maxTotal: this.config.schedules.maxOccurrences,
      budget: this.config.schedules.expansionBudget,
    };
    // The answer depends only on the live snapshot, the window and the caps: tag those, and a
    // revalidation costs one small read and no expansion.
    const etag = contentEtag(
      [
        'occurrences/v2',
        record.live.etag,
        window.from.toISO(),
        window.to.toISO(),
        limits.maxPerEvent,
        limits.maxTotal,
        limits.budget,
      ].join('|'),
    );
    await this.turnUnlessCached(etag);
    return {
      etag,
      lastModified: record.live.updatedAt,
      notAfter: record.nextUnpublishAt,
      render: () =>
        this.cached(etag, () => {
          const { occurrences, truncated } = expandSchedule(schedule, window, limits);
          return JSON.stringify(
            toOccurrencesResponse(record.slug, schedule.timezone, window, occurrences, truncated),
          );
        }),
    };
  }

  /**
   * The occurrences of the draft's schedule in a window, as the public route would answer them
   * once published: the same window rules, caps and presenter. The window is read in its
   * canonical spelling (the one the public route redirects to), so the answer is the one the
   * public gets for the canonical URL. Rendered each time: nothing is cached.
   */
  async previewOccurrences(id: string, query: OccurrencesQuery): Promise<string> {
    const page = await this.pages.get(id);
    const schedule = page.draft.schedule ?? emptySchedule();
    const canonical = {
      ...(query.from !== undefined ? { from: canonicalBound('from', query.from) } : {}),
      ...(query.to !== undefined ? { to: canonicalBound('to', query.to) } : {}),
    };
    const window = resolveWindow(
      canonical,
      schedule.timezone,
      new Date(),
      this.config.schedules.defaultWindowDays,
    );
    const { occurrences, truncated } = expandSchedule(schedule, window, {
      maxPerEvent: this.config.schedules.maxOccurrencesPerEvent,
      maxTotal: this.config.schedules.maxOccurrences,
      budget: this.config.schedules.expansionBudget,
    });
    return JSON.stringify(
      toOccurrencesResponse(page.slug, schedule.timezone, window, occurrences, truncated),
    );
  }

  /** The iCalendar feed, or where the page moved when `slug` is a former slug. */
  async feed(slug: string): Promise<CachedRepresentation | PageMoved> {
    const record = await this.publicPages.findLiveSchedule(slug);
    if (isMoved(record)) return record;
    const etag = contentEtag(['ics/v1', record.live.etag].join('|'));
    await this.turnUnlessCached(etag);
    return {
      etag,
      lastModified: record.live.updatedAt,
      notAfter: record.nextUnpublishAt,
      render: () =>
        this.cached(etag, () =>
          buildIcalFeed({
            slug: record.slug,
            title: record.live.content.title,
            schedule: record.live.content.schedule ?? emptySchedule(),
          }),
        ),
    };
  }

  /** A render to come waits for its turn (see RenderTurns); a cached body needs none. */
  private async turnUnlessCached(etag: string): Promise<void> {
    if (!this.rendered?.has(etag)) await this.turns.next();
  }

  /** Rendering is synchronous, so two concurrent misses cannot both render: no single-flight. */
  private cached(etag: string, render: () => string): string {
    const hit = this.rendered?.get(etag);
    if (hit !== undefined) return hit;
    const body = render();
    this.rendered?.set(etag, body);
    return body;
  }
}
