import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsTimeZone, MaxLength, Min } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  type ActionKind,
  type ActionStatus,
} from '../schemas/page-action.types';

export class CreateActionDto {
  @ApiProperty({ enum: ACTION_KINDS })
  @IsIn(ACTION_KINDS)
  kind!: ActionKind;

  @ApiProperty({
    example: '2027-04-01T00:00:00-05:00',
    description:
      'ISO-8601 with an offset (or a wall-clock time with `timezone`); in the future, at most 2 years ahead',
  })
  @IsString()
  @MaxLength(40)
  at!: string;

  @ApiPropertyOptional({
    example: 'America/Chicago',
    description: 'Zone of an `at` without offset',
  })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({
    example: 4,
    description:
      'publish only, required: the page version whose draft was approved; that content goes live even if the draft moves on',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class ListActionsQuery extends CursorPageQuery {
  @ApiPropertyOptional({
    example: '2027-01-01T00:00:00Z',
    description: 'From this instant (inclusive)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({ example: '2027-02-01T00:00:00Z', description: 'Before this instant' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;
}

export class PageActionDto {
  @ApiProperty() id!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty({ enum: ACTION_KINDS }) kind!: ActionKind;
  @ApiProperty({ example: '2027-04-01T05:00:00.000Z' }) at!: string;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: ActionStatus;
  @ApiProperty({ enum: ['api', 'term'] }) source!: 'api' | 'term';
  @ApiPropertyOptional({ nullable: true, description: 'publish: the approved page version' })
  approvedVersion!: number | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ nullable: true, description: 'When it ran, was skipped or cancelled' })
  ranAt!: string | null;
  @ApiProperty({ nullable: true, description: 'Why it was skipped or done without a write' })
  reason!: string | null;
  @ApiProperty({ nullable: true }) lastError!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, description: 'The page version its write produced' })
  pageVersion!: number | null;
}

export class PageActionListDto {
  @ApiProperty({ type: [PageActionDto] }) items!: PageActionDto[];
  @ApiProperty({ nullable: true }) nextCursor!: string | null;
}
