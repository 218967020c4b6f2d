import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { PAGE_STATUSES, type PageStatus } from '../schemas/page.types';

export class PublicListQuery extends CursorPageQuery {}

export class AdminListQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: PAGE_STATUSES })
  @IsOptional()
  @IsIn(PAGE_STATUSES)
  status?: PageStatus;
}
