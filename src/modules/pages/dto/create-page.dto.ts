import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsTimeZone } from 'class-validator';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

export class CreatePageDto extends PageContentFieldsDto {
  @ApiProperty({ example: 'jane-doe', pattern: SLUG_PATTERN.source, minLength: 3, maxLength: 80 })
  @IsSlug()
  slug!: string;

  @ApiPropertyOptional({
    example: 'America/Chicago',
    description: 'IANA time zone of the schedule (default UTC)',
  })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timezone?: string;
}
