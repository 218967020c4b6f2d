import { ApiProperty } from '@nestjs/swagger';
import { ClosedObject, TimeZoneField } from '../../../core/http/field-rules';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

@ClosedObject()
export class CreatePageDto extends PageContentFieldsDto {
  @ApiProperty({ example: 'jane-doe', pattern: SLUG_PATTERN.source, minLength: 3, maxLength: 80 })
  @IsSlug()
  slug!: string;

  @TimeZoneField({
    required: false,
    example: 'America/Chicago',
    description: 'IANA time zone of the schedule (default UTC)',
  })
  timezone?: string;
}
