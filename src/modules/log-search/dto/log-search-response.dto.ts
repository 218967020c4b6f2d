import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LEVEL_NAMES, type LevelName } from '../log-document';

export class LogErrorDto {
  @ApiPropertyOptional() type?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional() stack?: string;
}

export class LogEntryDto {
  @ApiProperty({ description: 'Unique id of the record (the pagination tiebreaker)' }) id!: string;
  @ApiProperty({ format: 'date-time', example: '2025-06-01T10:14:03.512Z' }) timestamp!: string;
  @ApiProperty({ enum: LEVEL_NAMES }) level!: LevelName;
  @ApiPropertyOptional() msg?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional() method?: string;
  @ApiPropertyOptional({ example: '/v1/pages/:slug' }) route?: string;
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional({ type: 'integer' }) statusCode?: number;
  @ApiPropertyOptional() responseTimeMs?: number;
  @ApiPropertyOptional({ type: LogErrorDto }) err?: LogErrorDto;
  @ApiPropertyOptional() service?: string;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional() hostname?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Every other field of the record',
  })
  fields!: Record<string, unknown>;
}

export class LogSearchResponseDto {
  @ApiProperty({ type: [LogEntryDto], description: 'Newest first' }) items!: LogEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Hits for the filters (exact up to 10000)',
  })
  total!: number;
  @ApiProperty({ enum: ['eq', 'gte'], description: '"gte": total is a lower bound' })
  totalRelation!: 'eq' | 'gte';
  @ApiProperty({ format: 'date-time', description: 'Time range searched (resolved defaults)' })
  from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
}

export class HistogramBucketDto {
  @ApiProperty({ format: 'date-time', description: 'Bucket start' }) start!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) count!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    example: { info: 12, error: 1 },
    description: 'Count per level name (levels without records are omitted)',
  })
  levels!: Partial<Record<LevelName, number>>;
}

export class LogHistogramResponseDto {
  @ApiProperty({ example: '5m' }) interval!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Hits for the filters; equals the sum of the bucket counts',
  })
  total!: number;
  @ApiProperty({ type: [HistogramBucketDto] }) buckets!: HistogramBucketDto[];
}
