import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import {
  ClosedObject,
  InstantField,
  Optional,
  SCHEDULE_INSTANT_RULE,
  ScheduleInstantField,
  TimeZoneField,
} from '../../../core/http/field-rules';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  type ActionKind,
  type ActionStatus,
} from '../schemas/page-action.types';

@ClosedObject()
export class CreateActionDto {
  @ApiProperty({ enum: ACTION_KINDS })
  @IsIn(ACTION_KINDS, { message: `kind must be one of ${ACTION_KINDS.join(', ')}` })
  kind!: ActionKind;

  @ScheduleInstantField({
    example: '2028-04-01T00:00:00-05:00',
    description: `When it runs. ${SCHEDULE_INSTANT_RULE}`,
  })
  at!: string;

  @TimeZoneField({
    required: false,
    example: 'America/Chicago',
    description: 'Zone of an `at` without offset',
  })
  timezone?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 4,
    description:
      'Required for publish (400 without it): the page version whose draft was approved; that ' +
      'content goes live even if the draft moves on. 412 if the draft is no longer at it.',
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  version?: number;
}

export class ListActionsQuery extends CursorPageQuery {
  @InstantField({
    required: false,
    example: '2027-01-01T00:00:00Z',
    description: 'From this instant (inclusive)',
  })
  from?: string;

  @InstantField({
    required: false,
    example: '2027-02-01T00:00:00Z',
    description: 'Before this instant; after `from` (else 400)',
  })
  to?: string;
}

export class PageActionDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433d' }) pageId!: string;
  @ApiProperty({ enum: ACTION_KINDS }) kind!: ActionKind;
  @ApiProperty({ format: 'date-time', example: '2028-04-01T05:00:00.000Z' }) at!: string;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: ActionStatus;
  @ApiProperty({ enum: ['api', 'term'] }) source!: 'api' | 'term';
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    nullable: true,
    description: 'publish: the approved page version',
  })
  approvedVersion!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'Display name of who scheduled it' }) createdBy!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'token:665f1c2a4e8d2b4c519a433c',
    description: 'Stable actor id of who scheduled it; the scheduler runs it on their behalf',
  })
  createdById!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it ran, was skipped or cancelled',
  })
  ranAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it was skipped or done without a write',
  })
  reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) attempts!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    nullable: true,
    description: 'The page version its write produced',
  })
  pageVersion!: number | null;
}

export class PageActionListDto {
  @ApiProperty({ type: [PageActionDto] }) items!: PageActionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
