import type {
  PageListResponseDto,
  PageResponseDto,
  PublicPageListDto,
  RevisionDto,
} from './dto/page-response.dto';
import type { ActivityDto } from './dto/staff.dto';
import type { FoundPageRecord, PublishedSummaryRecord } from './pages.repository';
import type { PageContent, PageRecord, PageRevisionRecord } from './schemas/page.types';

const iso = (d: Date | string | undefined | null): string => (d ? new Date(d).toISOString() : '');

/** Who did something and when, by stable actor id (the display name beside it). */
const activity = (at: Date, id?: string, name?: string): ActivityDto => ({
  at: iso(at),
  by: { id: id ?? 'unknown', name: name ?? id ?? 'unknown' },
});

const lastPublished = (
  live:
    | Pick<NonNullable<PageRecord['live']>, 'publishedAt' | 'publishedBy' | 'publishedById'>
    | null
    | undefined,
): ActivityDto | null =>
  live ? activity(live.publishedAt, live.publishedById, live.publishedBy) : null;

const content = (c: PageContent): PageResponseDto['draft'] => ({
  title: c.title,
  summary: c.summary,
  agent: c.agent,
  sponsor: c.sponsor,
  sections: c.sections,
  seo: c.seo,
  schedule: c.schedule,
});

export function toPageResponse(page: PageRecord): PageResponseDto {
  return {
    id: page._id.toHexString(),
    slug: page.slug,
    redirectsFrom: page.formerSlugs ?? [],
    status: page.status,
    version: page.version,
    revision: page.revision,
    draft: content(page.draft),
    live: page.live
      ? {
          content: content(page.live.content),
          etag: page.live.etag,
          revision: page.live.revision,
          publishedAt: iso(page.live.publishedAt),
          updatedAt: iso(page.live.updatedAt),
        }
      : null,
    pendingInvalidations: page.cdnOutbox?.length ?? 0,
    sponsorship: page.sponsorship
      ? {
          startsAt: iso(page.sponsorship.startsAt),
          endsAt: iso(page.sponsorship.endsAt),
          approvedVersion: page.sponsorship.approvedVersion,
          setAt: iso(page.sponsorship.setAt),
          setBy: page.sponsorship.setBy,
          scheduled: !page.termPending,
        }
      : null,
    nextUnpublishAt: page.nextUnpublishAt ? iso(page.nextUnpublishAt) : null,
    createdAt: iso(page.createdAt),
    updatedAt: iso(page.updatedAt),
    lastEdited: activity(page.updatedAt, page.updatedById, page.updatedBy),
    lastPublished: lastPublished(page.live),
  };
}

export function toPageList(
  rows: FoundPageRecord[],
  nextCursor: string | null,
): PageListResponseDto {
  return {
    items: rows.map((r) => ({
      id: r._id.toHexString(),
      slug: r.slug,
      status: r.status,
      version: r.version,
      title: r.draft.title,
      updatedAt: iso(r.updatedAt),
      publishedAt: r.live?.publishedAt ? iso(r.live.publishedAt) : null,
      agentName: r.draft.agent.name,
      sponsorName: r.draft.sponsor.name,
      lastEdited: activity(r.updatedAt, r.updatedById, r.updatedBy),
      lastPublished: lastPublished(r.live),
    })),
    nextCursor,
  };
}

export function toPublicList(
  rows: PublishedSummaryRecord[],
  nextCursor: string | null,
): PublicPageListDto {
  return {
    items: rows.map((r) => ({
      slug: r.slug,
      title: r.live.content.title,
      summary: r.live.content.summary,
      agentName: r.live.content.agent.name,
      sponsorName: r.live.content.sponsor.name,
      publishedAt: iso(r.live.publishedAt),
    })),
    nextCursor,
  };
}

export function toRevision(r: PageRevisionRecord): RevisionDto {
  return {
    revision: r.revision,
    slug: r.slug,
    etag: r.etag,
    publishedAt: iso(r.publishedAt),
    publishedBy: r.publishedBy,
    publishedById: r.publishedById,
    content: content(r.content),
  };
}
