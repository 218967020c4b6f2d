import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { InstantField, OBJECT_ID_PATTERN, PatternField } from '../../../core/http/field-rules';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-entry';

export class AuditQuery extends CursorPageQuery {
  @ApiPropertyOptional({
    maxLength: 600,
    example: 'token:665f1c2a4e8d2b4c519a433c',
    description:
      'Stable actor id: `token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap`, `cli`, `scheduler` (never a display name)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(600)
  actor?: string;

  @PatternField(OBJECT_ID_PATTERN, 'pageId must be a page id (24 hex digits)', {
    required: false,
    example: '665f1c2a4e8d2b4c519a433c',
  })
  pageId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @InstantField({ required: false, description: 'Events at or after this instant' })
  from?: string;

  @InstantField({
    required: false,
    description: 'Events at or before this instant; not before `from` (else 400)',
  })
  to?: string;
}
