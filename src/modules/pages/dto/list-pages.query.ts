import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CursorPageQuery } from '../../../core/http/cursor-page.query';
import { InstantField, PatternField } from '../../../core/http/field-rules';
import { FIND_SORTS, type FindSort } from '../page-finder';
import { MAX_QUERY_WORDS } from '../page-search';
import { PAGE_STATUSES, type PageStatus } from '../schemas/page.types';

export class PublicListQuery extends CursorPageQuery {}

/** A slug prefix: what a slug may start with. */
export const SLUG_PREFIX_PATTERN = /^[a-z0-9-]{1,80}$/;

export class AdminListQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: PAGE_STATUSES })
  @IsOptional()
  @IsIn(PAGE_STATUSES)
  status?: PageStatus;

  @PatternField(SLUG_PREFIX_PATTERN, 'slug must be a slug prefix (a-z, 0-9, -; 1-80 characters)', {
    required: false,
    maxLength: 80,
    example: 'jane-',
    description: 'Pages whose slug starts with this prefix',
  })
  slug?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    example: 'zoe ang',
    description:
      'Words, each the start of a word of the title, agent name or sponsor name of the draft, ' +
      `case and accents ignored (\`zoe ang\` finds "Zoë Ångström"); all must match; at most ` +
      `${MAX_QUERY_WORDS} words. Without a letter or digit it matches nothing.`,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 120,
    example: 'Acme Realty',
    description: "The draft's sponsor name, exactly",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  sponsor?: string;

  @InstantField({
    required: false,
    example: '2028-04-01T00:00:00Z',
    description: 'Pages whose sponsorship term ends before this instant (about to come down)',
  })
  termEndsBefore?: string;

  @InstantField({
    required: false,
    example: '2027-01-01T00:00:00Z',
    description: 'Pages last written after this instant',
  })
  updatedAfter?: string;

  @InstantField({
    required: false,
    example: '2027-02-01T00:00:00Z',
    description: 'Pages last written before this instant',
  })
  updatedBefore?: string;

  @ApiPropertyOptional({
    enum: FIND_SORTS,
    default: 'updatedAt',
    description:
      '`updatedAt`: newest first (default); `slug`: A to Z, combined with `status` and `slug` ' +
      'only (other filters with it: 400). A cursor is valid only with the sort and filters it ' +
      'was issued for (else 400).',
  })
  @IsOptional()
  @IsIn(FIND_SORTS, { message: `sort must be one of ${FIND_SORTS.join(', ')}` })
  sort?: FindSort;
}
