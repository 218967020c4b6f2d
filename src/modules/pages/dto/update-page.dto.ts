import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

/**
 * Partial update: each field given replaces that field of the draft (objects such as `agent`
 * are replaced whole). A new `slug` renames the page; on a published page the public URL moves
 * at once and both the old and new paths are invalidated.
 */
export class UpdatePageDto extends PartialType(PageContentFieldsDto) {
  @ApiPropertyOptional({ example: 'jane-doe-austin', pattern: SLUG_PATTERN.source })
  @IsOptional()
  @IsSlug()
  slug?: string;
}
