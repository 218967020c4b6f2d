import { contentEtag } from '../../core/http/preconditions';
import type { LiveSnapshot, PageContent } from './schemas/page.types';
import type { Schedule, ScheduleEvent } from './schemas/schedule.types';

/**
 * The public JSON of a live page, built field by field so that its bytes (and so its ETag)
 * depend only on the content, never on storage key order.
 */
export function publicPageJson(
  slug: string,
  content: PageContent,
  revision: number,
  publishedAt: Date,
  updatedAt: Date,
): string {
  return JSON.stringify({
    slug,
    title: content.title,
    summary: content.summary,
    agent: content.agent && {
      name: content.agent.name,
      title: content.agent.title,
      bio: content.agent.bio,
      photoUrl: content.agent.photoUrl,
      email: content.agent.email,
      phone: content.agent.phone,
      websiteUrl: content.agent.websiteUrl,
    },
    sponsor: content.sponsor && {
      name: content.sponsor.name,
      disclosure: content.sponsor.disclosure,
      url: content.sponsor.url,
      logoUrl: content.sponsor.logoUrl,
    },
    sections: content.sections.map((s) => ({ heading: s.heading, body: s.body })),
    seo: content.seo && {
      title: content.seo.title,
      description: content.seo.description,
      canonicalUrl: content.seo.canonicalUrl,
      noindex: content.seo.noindex,
    },
    schedule: toPublicSchedule(content.schedule),
    revision,
    publishedAt: publishedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  });
}

/** Builds the live snapshot (content, exact public body and its strong ETag) at publish time. */
export function buildLiveSnapshot(
  slug: string,
  content: PageContent,
  revision: number,
  publishedAt: Date,
  updatedAt: Date = publishedAt,
): LiveSnapshot {
  const body = publicPageJson(slug, content, revision, publishedAt, updatedAt);
  return { content, body, etag: contentEtag(body), revision, publishedAt, updatedAt };
}

export type PublicEvent = Omit<ScheduleEvent, 'sequence' | 'createdAt' | 'updatedAt'>;

/** The public view of an event: bookkeeping fields (sequence, timestamps) stay private. */
export function toPublicEvent(e: ScheduleEvent): PublicEvent {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    location: e.location,
    start: e.start,
    end: e.end,
    allDay: e.allDay,
    recurrence: e.recurrence,
    exceptions: e.exceptions,
    cancellations: e.cancellations,
    status: e.status,
    registrationUrl: e.registrationUrl,
  };
}

function toPublicSchedule(schedule: Schedule): { timezone: string; events: PublicEvent[] } {
  return { timezone: schedule.timezone, events: schedule.events.map(toPublicEvent) };
}
