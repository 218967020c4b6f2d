import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CursorField, DateTimeField, PatternField } from '../../../core/http/field-rules';
import { SANE_REQUEST_ID } from '../../../core/logging/root-logger';
import { LEVEL_NAMES, type LevelName } from '../log-document';
import { HISTOGRAM_INTERVALS, STATUS_PATTERN, type HistogramInterval } from '../log-query.builder';

export const MAX_PAGE_SIZE = 200;

/** Filters shared by the search and the histogram. */
export class LogFiltersQuery {
  @ApiPropertyOptional({
    description: 'Words that must all occur in the message (or error message)',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: LEVEL_NAMES, description: 'Minimum level' })
  @IsOptional()
  @IsIn(LEVEL_NAMES)
  level?: LevelName;

  @DateTimeField({
    required: false,
    description: 'Start of the time range (inclusive); default: 24 hours before `to`',
    example: '2025-06-01T10:00:00Z',
  })
  from?: string;

  @DateTimeField({
    required: false,
    description:
      'End of the time range (exclusive); default: now. After `from`, and at most 31 days after it',
    example: '2025-06-02T10:00:00Z',
  })
  to?: string;

  @PatternField(SANE_REQUEST_ID, 'requestId must be 1-128 characters of [A-Za-z0-9._:-]', {
    required: false,
    description: 'Exact request id (the x-request-id response header)',
  })
  requestId?: string;

  @ApiPropertyOptional({
    description: 'Exact route pattern',
    example: '/v1/pages/:slug',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  route?: string;

  @PatternField(STATUS_PATTERN, 'status must be a status code like 404 or a class like 5xx', {
    required: false,
    description: 'Exact status or a class',
    example: '5xx',
  })
  status?: string;
}

export class LogSearchQuery extends LogFiltersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  size: number = 50;

  @CursorField()
  cursor?: string;
}

export class LogHistogramQuery extends LogFiltersQuery {
  @ApiPropertyOptional({
    enum: Object.keys(HISTOGRAM_INTERVALS),
    description: 'Bucket width; default: the finest that gives at most 200 buckets',
  })
  @IsOptional()
  @IsIn(Object.keys(HISTOGRAM_INTERVALS))
  interval?: HistogramInterval;
}
