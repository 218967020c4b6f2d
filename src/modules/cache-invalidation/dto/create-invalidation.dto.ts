import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { ClosedObject } from '../../../core/http/field-rules';
import {
  CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
  INVALIDATION_PATH_PATTERN,
  invalidPathReason,
  MAX_PATH_LENGTH,
} from '../cloudfront-paths';

export const MAX_PATHS_PER_REQUEST = 100;

/** Each path CloudFront-legal, and no more wildcards than CloudFront has in progress at once. */
function AreInvalidationPaths(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'areInvalidationPaths',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} ${problem(args.value) ?? 'are invalid'}`,
      },
    });
}

function problem(value: unknown): string | null {
  if (!Array.isArray(value)) return null; // IsArray reports it
  for (const path of value) {
    if (typeof path !== 'string') return null; // IsString reports it
    const reason = invalidPathReason(path);
    if (reason) return `has an invalid path "${path.slice(0, 100)}": it ${reason}`;
  }
  const wildcards = new Set((value as string[]).filter((p) => p.endsWith('*'))).size;
  if (wildcards > CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS)
    return `may contain at most ${CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS} wildcard paths`;
  return null;
}

@ClosedObject()
export class CreateInvalidationDto {
  @ApiProperty({
    type: 'array',
    items: {
      type: 'string',
      pattern: INVALIDATION_PATH_PATTERN.source,
      maxLength: MAX_PATH_LENGTH,
    },
    minItems: 1,
    maxItems: MAX_PATHS_PER_REQUEST,
    example: ['/v1/pages/jane-doe*'],
    description:
      'Paths relative to the distribution: leading "/", URL-encoded where needed, "*" only at the end; at most 15 wildcard paths',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PATHS_PER_REQUEST)
  @IsString({ each: true })
  @AreInvalidationPaths()
  paths!: string[];
}
