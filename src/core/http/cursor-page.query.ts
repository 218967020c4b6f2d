import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CursorField } from './field-rules';

/** A list's page size when the query names none, and the largest one may ask for. */
export const DEFAULT_PAGE_LIMIT = 20;
export const MIN_PAGE_LIMIT = 1;
export const MAX_PAGE_LIMIT = 100;

/**
 * `limit` as CursorPageQuery reads it (`@Type(() => Number)`, then an integer within the bounds),
 * or undefined where its validation refuses it: for a reader of the raw query (the public list's
 * fast path) that must accept exactly what the DTO accepts.
 */
export function parsePageLimit(text: string): number | undefined {
  const limit = Number(text);
  return Number.isInteger(limit) && limit >= MIN_PAGE_LIMIT && limit <= MAX_PAGE_LIMIT
    ? limit
    : undefined;
}

/** `limit` and `cursor` of every cursor-paginated list. */
export class CursorPageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_PAGE_LIMIT,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(MIN_PAGE_LIMIT)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @CursorField()
  cursor?: string;
}
