import { ApiProperty } from '@nestjs/swagger';
import { PatternField } from '../../../core/http/field-rules';

export class ActorRefDto {
  @ApiProperty({
    example: 'token:665f1c2a4e8d2b4c519a433c',
    description:
      'Stable actor id: `token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap`, `scheduler` ("unknown" for pages written before ids were recorded)',
  })
  id!: string;
  @ApiProperty({ example: 'Jane (editor token)', description: 'Display name at the time' })
  name!: string;
}

export class ActivityDto {
  @ApiProperty({ format: 'date-time', example: '2027-01-31T18:03:00.000Z' }) at!: string;
  @ApiProperty({ type: ActorRefDto }) by!: ActorRefDto;
}

export const DIFF_OPS = ['add', 'remove', 'replace'] as const;
export type DiffOp = (typeof DIFF_OPS)[number];

/** Any JSON value but null (the public representation leaves absent fields out). */
const JSON_VALUE = {
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object' },
    { type: 'array', items: {} },
  ],
};

export class ChangeDto {
  @ApiProperty({
    example: 'sponsor.name',
    description:
      'Dotted path into the public representation: sections by index (`sections.0.heading`), ' +
      'events by id (`schedule.events.<eventId>.title`)',
  })
  path!: string;
  @ApiProperty({ enum: DIFF_OPS, example: 'replace' }) op!: DiffOp;
  @ApiProperty({
    required: false,
    ...JSON_VALUE,
    example: 'Acme Realty',
    description: 'The value in `from` (absent for add)',
  })
  before?: unknown;
  @ApiProperty({
    required: false,
    ...JSON_VALUE,
    example: 'Acme Homes',
    description: 'The value in `to` (absent for remove)',
  })
  after?: unknown;
}

export class DiffSideDto {
  @ApiProperty({ enum: ['live', 'draft', 'revision'], example: 'live' })
  source!: 'live' | 'draft' | 'revision';
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 3,
    description:
      'The revision compared (live: its revision; draft: null; null when nothing is live)',
  })
  revision!: number | null;
  @ApiProperty({
    description: 'false: nothing there (a page never published), every field is an add',
  })
  exists!: boolean;
}

export class PageDiffDto {
  @ApiProperty({ type: DiffSideDto }) from!: DiffSideDto;
  @ApiProperty({ type: DiffSideDto }) to!: DiffSideDto;
  @ApiProperty({
    type: [ChangeDto],
    example: [
      { path: 'sponsor.name', op: 'replace', before: 'Acme Realty', after: 'Acme Homes' },
      { path: 'sections.1', op: 'add', after: { heading: 'Listings', body: 'New this week' } },
    ],
  })
  changes!: ChangeDto[];
}

/** `live`, `draft` or a revision number. */
export const DIFF_SIDE_PATTERN = /^(?:live|draft|[1-9]\d{0,8})$/;

export class DiffQuery {
  @PatternField(DIFF_SIDE_PATTERN, 'from must be live, draft or a revision number', {
    required: false,
    example: 'live',
    description: 'Default `live` (nothing when the page is not published)',
  })
  from?: string;

  @PatternField(DIFF_SIDE_PATTERN, 'to must be live, draft or a revision number', {
    required: false,
    example: 'draft',
    description: 'Default `draft`',
  })
  to?: string;
}
