import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAGE_STATUSES, type PageStatus } from '../schemas/page.types';
import { AgentDto, SectionDto, SeoDto, SponsorDto } from './page-content.dto';
import { ActivityDto } from './staff.dto';

const LAST_EDITED = {
  type: ActivityDto,
  description: 'The last write of the page (any write: edit, publish, schedule change, ...)',
};
const LAST_PUBLISHED = {
  type: ActivityDto,
  nullable: true,
  description: 'Who published the live revision and when; null while nothing is live',
};

export class ScheduleViewDto {
  @ApiProperty({ example: 'America/Chicago' })
  timezone!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Events as stored; see the schedule endpoints',
  })
  events!: object[];
}

export class PageContentViewDto {
  @ApiProperty({ example: 'Jane Doe' }) title!: string;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty({ type: AgentDto }) agent!: AgentDto;
  @ApiProperty({ type: SponsorDto }) sponsor!: SponsorDto;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
  @ApiPropertyOptional({ type: SeoDto }) seo?: SeoDto;
  @ApiProperty({ type: ScheduleViewDto }) schedule!: ScheduleViewDto;
}

export class LiveViewDto {
  @ApiProperty({ type: PageContentViewDto }) content!: PageContentViewDto;
  @ApiProperty({ example: '"k3Jd9..."', description: 'Strong ETag of the public representation' })
  etag!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) revision!: number;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SponsorshipViewDto {
  @ApiProperty({ format: 'date-time', example: '2028-03-01T06:00:00.000Z' }) startsAt!: string;
  @ApiProperty({ format: 'date-time', example: '2028-04-01T05:00:00.000Z' }) endsAt!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    nullable: true,
    description: 'Version whose draft goes live at startsAt (null: the page was already live)',
  })
  approvedVersion!: number | null;
  @ApiProperty({ format: 'date-time' }) setAt!: string;
  @ApiProperty({ description: 'Name of the identity that set the term' }) setBy!: string;
  @ApiProperty({ description: 'false until its scheduled actions are created' })
  scheduled!: boolean;
}

/** The admin view of a page: draft, live snapshot and bookkeeping. */
export class PageResponseDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({
    type: [String],
    example: ['jane-doe-realtor'],
    description:
      'Former slugs, oldest first: while the page is published each answers 301 to the ' +
      'current slug (page, schedule and feed); otherwise 404. A publisher removes one with ' +
      'DELETE /admin/v1/pages/{id}/redirects/{slug}',
  })
  redirectsFrom!: string[];
  @ApiProperty({ enum: PAGE_STATUSES }) status!: PageStatus;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 1,
    description: 'Send back as If-Match: "1" on the next write',
  })
  version!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 0,
    description: 'Number of the last published revision (0 = never published)',
  })
  revision!: number;
  @ApiProperty({ type: PageContentViewDto }) draft!: PageContentViewDto;
  @ApiProperty({ type: LiveViewDto, nullable: true }) live!: LiveViewDto | null;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'CDN invalidations recorded but not yet handed to the worker',
  })
  pendingInvalidations!: number;
  @ApiProperty({ type: SponsorshipViewDto, nullable: true })
  sponsorship!: SponsorshipViewDto | null;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Earliest scheduled unpublish/archive: public caching ends by then',
  })
  nextUnpublishAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty(LAST_EDITED) lastEdited!: ActivityDto;
  @ApiProperty(LAST_PUBLISHED) lastPublished!: ActivityDto | null;
}

export class PageSummaryDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({ enum: PAGE_STATUSES }) status!: PageStatus;
  @ApiProperty({ type: 'integer', minimum: 0 }) version!: number;
  @ApiProperty({ example: 'Jane Doe' }) title!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt!: string | null;
  @ApiProperty({ example: 'Jane Doe', description: "The draft's agent name" }) agentName!: string;
  @ApiProperty({ example: 'Acme Realty', description: "The draft's sponsor name" })
  sponsorName!: string;
  @ApiProperty(LAST_EDITED) lastEdited!: ActivityDto;
  @ApiProperty(LAST_PUBLISHED) lastPublished!: ActivityDto | null;
}

export class PageListResponseDto {
  @ApiProperty({ type: [PageSummaryDto] }) items!: PageSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** The public representation of a live page, exactly as served. */
export class PublicPageDto {
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({ example: 'Jane Doe' }) title!: string;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty({ type: AgentDto }) agent!: AgentDto;
  @ApiProperty({ type: SponsorDto }) sponsor!: SponsorDto;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
  @ApiPropertyOptional({ type: SeoDto }) seo?: SeoDto;
  @ApiProperty({ type: ScheduleViewDto }) schedule!: ScheduleViewDto;
  @ApiProperty({ type: 'integer', minimum: 0 }) revision!: number;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class PublicPageSummaryDto {
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({ example: 'Jane Doe' }) title!: string;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty({ example: 'Jane Doe' }) agentName!: string;
  @ApiProperty({ example: 'Acme Realty' }) sponsorName!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
}

export class PublicPageListDto {
  @ApiProperty({ type: [PublicPageSummaryDto] }) items!: PublicPageSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RevisionDto {
  @ApiProperty({ type: 'integer', minimum: 0 }) revision!: number;
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty() etag!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiPropertyOptional({ description: 'Name of the identity that published it' })
  publishedBy?: string;
  @ApiPropertyOptional({
    description:
      "The publisher's stable actor id: `token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap`, `scheduler`",
  })
  publishedById?: string;
  @ApiProperty({ type: PageContentViewDto }) content!: PageContentViewDto;
}

export class RevisionListDto {
  @ApiProperty({ type: [RevisionDto] }) items!: RevisionDto[];
}
