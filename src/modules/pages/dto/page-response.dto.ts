import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAGE_STATUSES, type PageStatus } from '../schemas/page.types';
import { AgentDto, SectionDto, SeoDto, SponsorDto } from './page-content.dto';

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
  @ApiProperty() title!: string;
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
  @ApiProperty() revision!: number;
  @ApiProperty() publishedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class SponsorshipViewDto {
  @ApiProperty({ example: '2027-03-01T06:00:00.000Z' }) startsAt!: string;
  @ApiProperty({ example: '2027-04-01T05:00:00.000Z' }) endsAt!: string;
  @ApiProperty({
    nullable: true,
    description: 'Version whose draft goes live at startsAt (null: the page was already live)',
  })
  approvedVersion!: number | null;
  @ApiProperty() setAt!: string;
  @ApiProperty() setBy!: string;
  @ApiProperty({ description: 'false until its scheduled actions are created' })
  scheduled!: boolean;
}

/** The admin view of a page: draft, live snapshot and bookkeeping. */
export class PageResponseDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({ enum: PAGE_STATUSES }) status!: PageStatus;
  @ApiProperty({ example: 3, description: 'Send back as If-Match: "3" on the next write' })
  version!: number;
  @ApiProperty({ description: 'Number of the last published revision (0 = never published)' })
  revision!: number;
  @ApiProperty({ type: PageContentViewDto }) draft!: PageContentViewDto;
  @ApiProperty({ type: LiveViewDto, nullable: true }) live!: LiveViewDto | null;
  @ApiProperty({ description: 'CDN invalidations recorded but not yet handed to the worker' })
  pendingInvalidations!: number;
  @ApiProperty({ type: SponsorshipViewDto, nullable: true })
  sponsorship!: SponsorshipViewDto | null;
  @ApiProperty({
    nullable: true,
    description: 'Earliest scheduled unpublish/archive: public caching ends by then',
  })
  nextUnpublishAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PageSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ enum: PAGE_STATUSES }) status!: PageStatus;
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ nullable: true }) publishedAt!: string | null;
}

export class PageListResponseDto {
  @ApiProperty({ type: [PageSummaryDto] }) items!: PageSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** The public representation of a live page, exactly as served. */
export class PublicPageDto {
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty({ type: AgentDto }) agent!: AgentDto;
  @ApiProperty({ type: SponsorDto }) sponsor!: SponsorDto;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
  @ApiPropertyOptional({ type: SeoDto }) seo?: SeoDto;
  @ApiProperty({ type: ScheduleViewDto }) schedule!: ScheduleViewDto;
  @ApiProperty() revision!: number;
  @ApiProperty() publishedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PublicPageSummaryDto {
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty() agentName!: string;
  @ApiProperty() sponsorName!: string;
  @ApiProperty() publishedAt!: string;
}

export class PublicPageListDto {
  @ApiProperty({ type: [PublicPageSummaryDto] }) items!: PublicPageSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RevisionDto {
  @ApiProperty() revision!: number;
  @ApiProperty() slug!: string;
  @ApiProperty() etag!: string;
  @ApiProperty() publishedAt!: string;
  @ApiPropertyOptional({ description: 'Name of the identity that published it' })
  publishedBy?: string;
  @ApiPropertyOptional({ description: 'Token id, OIDC subject or `bootstrap` of the publisher' })
  publishedById?: string;
  @ApiProperty({ type: PageContentViewDto }) content!: PageContentViewDto;
}

export class RevisionListDto {
  @ApiProperty({ type: [RevisionDto] }) items!: RevisionDto[];
}
