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
    description:
      "When it stops working: in the future, within API_TOKEN_MAX_LIFETIME_DAYS (default 365) and, for a token made by a token, not after that token's expiry (else 400). Omitted: the latest of those allowed",
  })
  expiresAt?: string;
}

class TokenActorDto {
  @ApiProperty({ enum: ['token', 'oidc', 'bootstrap', 'cli', 'system'] }) kind!: string;
  @ApiProperty({
    description: 'Stable actor id: `token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap` or `cli`',
    example: 'token:665f1c2a4e8d2b4c519a433c',
  })
  id!: string;
  @ApiProperty({ description: 'Display name (not unique, chosen by its holder)' }) name!: string;
}

export class TokenDto {
  @ApiProperty({ example: '665f1c2a4e8d2b4c519a433c' }) id!: string;
  @ApiProperty({ example: 'alice-laptop' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: TokenActorDto }) createdBy!: TokenActorDto;
  @ApiProperty({
    type: [String],
    example: ['665f1c2a4e8d2b4c519a4300'],
    description:
      'Ids of the tokens above this one, the root first (the last made it). Empty when a person made it. Revoking any of them revokes this one',
  })
  lineage!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description:
      'When it stops working; null only on a token stored without one, which stops API_TOKEN_MAX_LIFETIME_DAYS after createdAt',
  })
  expiresAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Updated at most once a minute',
  })
  lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: TokenActorDto }) revokedBy!: TokenActorDto | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The token (in its lineage) whose revocation revoked this one',
  })
  revokedVia!: string | null;
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
    lineage: t.lineage ?? [],
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    revokedBy: t.revokedBy ?? null,
    revokedVia: t.revokedVia ?? null,
  };
}
