import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from '../../../core/auth/roles';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../audit-entry';

class AuditActorDto {
  @ApiProperty({ enum: ['token', 'oidc', 'bootstrap', 'cli', 'system'] }) kind!: string;
  @ApiProperty({ description: 'Token id, OIDC subject or `bootstrap`' }) id!: string;
  @ApiProperty() name!: string;
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
  @ApiProperty({ enum: ['token', 'invalidation', 'route'] }) type!: string;
  @ApiProperty() id!: string;
}

export class AuditEventDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: AuditAction;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiPropertyOptional({ enum: ROLES }) role?: Role;
  @ApiPropertyOptional({ type: AuditPageDto }) page?: AuditPageDto;
  @ApiPropertyOptional({ type: AuditVersionDto }) version?: AuditVersionDto;
  @ApiPropertyOptional({ type: [String], description: 'Changed field paths' }) changes?: string[];
  @ApiPropertyOptional({ type: AuditTargetDto }) target?: AuditTargetDto;
  @ApiPropertyOptional({ type: Object }) details?: Record<string, unknown>;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ description: 'Client address as seen through the ingress' })
  sourceIp?: string;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAuditEvent(e: AuditEntry): AuditEventDto {
  return { ...e, at: new Date(e.at).toISOString() };
}
