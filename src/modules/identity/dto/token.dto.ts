import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, type Role } from '../../../core/auth/roles';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { ClosedObject, InstantField, PatternField } from '../../../core/http/field-rules';
import type { ApiTokenView } from '../api-tokens.repository';

/** Letters, digits, space and `. _ @ -`, starting with a letter or digit. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._@-]*$/;
export const TOKEN_NAME_MAX_LENGTH = 100;

@ClosedObject()
export class CreateTokenDto {
  @PatternField(
    TOKEN_NAME_PATTERN,
    'name must start with a letter or digit and use letters, digits, space, . _ @ -',
    {
      maxLength: TOKEN_NAME_MAX_LENGTH,
      example: 'alice-laptop',
      description: 'Who or what holds it (shown in the audit trail)',
    },
  )
  name!: string;

  @ApiProperty({ enum: ROLES, description: "At most the creator's own role (else 403)" })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @InstantField({
    required: false,
    example: '2028-01-31T00:00:00Z',
    description: 'When it stops working; must be in the future',
  })
  expiresAt?: string;
}

class TokenActorDto {
  @ApiProperty({ enum: ['token', 'oidc', 'bootstrap', 'cli', 'system'] }) kind!: string;
  @ApiProperty({ description: 'Token id, OIDC subject or `bootstrap`' }) id!: string;
  @ApiProperty() name!: string;
}

export class TokenDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'alice-laptop' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: TokenActorDto }) createdBy!: TokenActorDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Updated at most once a minute',
  })
  lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;
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
