import { ApiPropertyOptional, DECORATORS, PartialType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { ClosedObject, Optional } from '../../../core/http/field-rules';
import { IsSlug, PageContentFieldsDto, SLUG_PATTERN } from './page-content.dto';

/**
 * Partial update: each field given replaces that field of the draft (objects such as `agent`
 * are replaced whole). A new `slug` renames the page; on a published page the public URL moves
 * at once and both the old and new paths are invalidated.
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
}
