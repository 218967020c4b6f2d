import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, IsTimeZone, MaxLength, ValidateNested } from 'class-validator';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

/**
 * A paid term. Instants with an offset; a wall-clock time (`2027-04-01T00:00`) only together
 * with the IANA `timezone` it is read in. Stored as instants.
 */
export class SponsorshipTermDto {
  @ApiProperty({
    example: '2027-03-01T00:00:00-06:00',
    description: 'Publish of the draft as of this write (unless the page is already live)',
  })
  @IsString()
  @MaxLength(40)
  startsAt!: string;

  @ApiProperty({
    example: '2027-04-01T00:00:00-05:00',
    description: 'Unpublish; at most 2 years ahead',
  })
  @IsString()
  @MaxLength(40)
  endsAt!: string;

  @ApiPropertyOptional({
    example: 'America/Chicago',
    description: 'Zone of startsAt/endsAt given without an offset',
  })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timezone?: string;
}

/**
 * Partial update: each field given replaces that field of the draft (objects such as `agent`
 * are replaced whole). A new `slug` renames the page; on a published page the public URL moves
 * at once and both the old and new paths are invalidated. `sponsorship` sets (or, with null,
 * removes) the paid term and schedules its publish and unpublish.
 */
export class UpdatePageDto extends PartialType(PageContentFieldsDto) {
  @ApiPropertyOptional({ example: 'jane-doe-austin', pattern: SLUG_PATTERN.source })
  @IsOptional()
  @IsSlug()
  slug?: string;

  @ApiPropertyOptional({ type: SponsorshipTermDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SponsorshipTermDto)
  sponsorship?: SponsorshipTermDto | null;
}
