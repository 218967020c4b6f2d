import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from '../../../core/auth/roles';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../audit-entry';

class AuditActorDto {
  @ApiProperty({ enum: ['token', 'oidc', 'bootstrap', 'cli', 'system'] }) kind!: string;
  @ApiProperty({
    description:
      'Stable actor id: `token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap`, `cli`, `scheduler`',
    example: 'token:665f1c2a4e8d2b4c519a433c',
  })
  id!: string;
  @ApiProperty({ description: 'Display name (not unique, chosen by its holder)' }) name!: string;
}

class AuditOnBehalfOfDto {
  @ApiProperty({ description: 'Stable actor id', example: 'token:665f1c2a4e8d2b4c519a433c' })
  id!: string;
  @ApiProperty({ description: 'Display name' }) name!: string;
}

class AuditPageDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
}

class AuditVersionDto {
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0 }) before!: number | null;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0 }) after!: number | null;
}

class AuditTargetDto {
  @ApiProperty({ enum: ['token', 'invalidation', 'route', 'page-action'] }) type!: string;
  @ApiProperty() id!: string;
}

export class AuditEventDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: AuditAction;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiPropertyOptional({
    type: AuditOnBehalfOfDto,
    description: 'Whom the scheduler acted for: who scheduled the action',
  })
  onBehalfOf?: AuditOnBehalfOfDto;
  @ApiPropertyOptional({ enum: ROLES }) role?: Role;
  @ApiPropertyOptional({ type: AuditPageDto }) page?: AuditPageDto;
  @ApiPropertyOptional({ type: AuditVersionDto }) version?: AuditVersionDto;
  @ApiPropertyOptional({ type: [String], description: 'Changed field paths' }) changes?: string[];
  @ApiPropertyOptional({ type: AuditTargetDto }) target?: AuditTargetDto;
  @ApiPropertyOptional({ type: Object }) details?: Record<string, unknown>;
  @ApiPropertyOptional({ description: "The server's id of the request" }) requestId?: string;
  @ApiPropertyOptional({
    description:
      "The caller's own `X-Request-Id` (the id the response echoed and the log lines carry), when it sent a sane one",
  })
  clientRequestId?: string;
  @ApiPropertyOptional({ description: 'Client address as seen through the ingress' })
  sourceIp?: string;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      '`auth.forbidden`: the refusals of this actor on this route within the minute from `at` (one row each)',
  })
  count?: number;
  @ApiPropertyOptional({ format: 'date-time', description: '`auth.forbidden`: the last refusal' })
  lastAt?: string;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAuditEvent({ lastAt, ...e }: AuditEntry): AuditEventDto {
  return {
    ...e,
    at: new Date(e.at).toISOString(),
    ...(lastAt ? { lastAt: new Date(lastAt).toISOString() } : {}),
  };
}
