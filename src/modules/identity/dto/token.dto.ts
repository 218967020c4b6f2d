import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../core/auth/roles';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import type { ApiTokenView } from '../api-tokens.repository';

export class CreateTokenDto {
  @ApiProperty({
    example: 'alice-laptop',
    description: 'Who or what holds it (shown in the audit trail)',
  })
  @IsString()
  @MaxLength(100)
  @Matches(/^[\p{L}\p{N}][\p{L}\p{N} ._@-]*$/u, {
    message: 'name must start with a letter or digit and use letters, digits, space, . _ @ -',
  })
  name!: string;

  @ApiProperty({ enum: ROLES, description: "At most the creator's own role" })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiPropertyOptional({ example: '2027-01-31T00:00:00Z', description: 'When it stops working' })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expiresAt must be an ISO 8601 date-time' },
  )
  expiresAt?: string;
}

class TokenActorDto {
  @ApiProperty() kind!: string;
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class TokenDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: TokenActorDto }) createdBy!: TokenActorDto;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Updated at most once a minute' })
  lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: TokenActorDto }) revokedBy!: TokenActorDto | null;
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({
    example: 'sat_6k2Qm3b1b2x7p3JtZ2kq0s8mWb6nH1yV3cQe5fR9aLo',
    description: 'The secret: shown this once, stored only as a hash',
  })
  token!: string;
}

export class TokenListDto {
  @ApiProperty({ type: [TokenDto] }) items!: TokenDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ListTokensQuery extends CursorPageQuery {}

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function toTokenDto(t: ApiTokenView): TokenDto {
  return {
    id: t._id.toHexString(),
    name: t.name,
    role: t.role,
    createdBy: t.createdBy,
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    revokedBy: t.revokedBy ?? null,
  };
}
