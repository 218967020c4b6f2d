import { ApiPropertyOptional, DECORATORS, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import {
  ClosedObject,
  Optional,
  SCHEDULE_INSTANT_RULE,
  ScheduleInstantField,
  TimeZoneField,
} from '../../../core/http/field-rules';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

/**
 * A paid term. Instants with an offset; a wall-clock time (`2027-04-01T00:00`) only together
 * with the IANA `timezone` it is read in. Stored as instants.
 */
@ClosedObject()
export class SponsorshipTermDto {
  @ScheduleInstantField({
    example: '2028-03-01T00:00:00-06:00',
    description: `Publish of the draft as of this write (unless the page is already live). ${SCHEDULE_INSTANT_RULE}`,
  })
  startsAt!: string;

  @ScheduleInstantField({
    example: '2028-04-01T00:00:00-05:00',
    description: `Unpublish; after startsAt. ${SCHEDULE_INSTANT_RULE}`,
  })
  endsAt!: string;

  @TimeZoneField({
    required: false,
    example: 'America/Chicago',
    description: 'Zone of startsAt/endsAt given without an offset',
  })
  timezone?: string;
}

/**
 * Partial update: each field given replaces that field of the draft (objects such as `agent`
 * are replaced whole). A new `slug` renames the page; on a published page (a publisher's change)
 * the public URL moves at once, the old slug redirects to the new one, and both are invalidated. `sponsorship` sets (or, with null,
 * removes) the paid term and schedules its publish and unpublish.
 */
/**
 * Optional fields of the page that a PATCH may remove by sending null; the required ones (title,
 * agent, sponsor) refuse null. Stated for both validation and the document.
 */
const REMOVABLE = ['summary', 'sections', 'seo'] as const;
function RemovableWithNull(): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as object;
    for (const key of REMOVABLE) {
      const inherited = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, key) ??
        {}) as object;
      ApiPropertyOptional({ ...inherited, nullable: true, description: 'null removes it' })(
        prototype,
        key,
      );
      IsOptional()(prototype, key);
    }
  };
}

@ClosedObject()
@RemovableWithNull()
// skipNullProperties: false — absent fields are skipped, null ones are validated (and refused),
// except the removable ones above.
export class UpdatePageDto extends PartialType(PageContentFieldsDto, {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    example: 'jane-doe-austin',
    pattern: SLUG_PATTERN.source,
    minLength: 3,
    maxLength: 80,
  })
  @Optional()
  @IsSlug()
  slug?: string;

  @ApiPropertyOptional({ type: SponsorshipTermDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SponsorshipTermDto)
  sponsorship?: SponsorshipTermDto | null;
}
