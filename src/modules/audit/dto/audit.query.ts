import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-entry';

export class AuditQuery extends CursorPageQuery {
  @ApiPropertyOptional({ description: 'Actor id (token id, OIDC subject, `bootstrap`) or name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ example: '665f1c2a4e8d2b4c519a433c' })
  @IsOptional()
  @Matches(/^[0-9a-f]{24}$/, { message: 'pageId must be a page id (24 hex characters)' })
  pageId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ description: 'Events at or after this instant (ISO 8601 with offset)' })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'from must be an ISO 8601 date-time' },
  )
  from?: string;

  @ApiPropertyOptional({ description: 'Events at or before this instant (ISO 8601 with offset)' })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'to must be an ISO 8601 date-time' },
  )
  to?: string;
}
