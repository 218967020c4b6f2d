import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { INVALIDATION_STATUSES, type InvalidationStatus } from '../schemas/invalidation.types';

export class ListInvalidationsQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: INVALIDATION_STATUSES })
  @IsOptional()
  @IsIn(INVALIDATION_STATUSES)
  status?: InvalidationStatus;
}
