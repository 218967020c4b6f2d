import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ClosedObject, HttpUrlField, Optional, PatternField } from '../../../core/http/field-rules';
import { EMAIL_PATTERN } from '../../../core/http/url-rules';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,78})[a-z0-9]$/;
export const SLUG_RULE =
  'slug must be 3-80 characters of lowercase a-z, 0-9 and "-", not starting or ending with "-"';

export function IsSlug(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsString()(target, key);
    Matches(SLUG_PATTERN, { message: SLUG_RULE })(target, key);
  };
}

@ClosedObject()
export class AgentDto {
  @ApiProperty({ minLength: 1, example: 'Jane Doe', maxLength: 120 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @ApiPropertyOptional({ example: 'Realtor', maxLength: 120 })
  @Optional()
  @IsString()
  @MaxLength(120)
  title?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @Optional()
  @IsString()
  @MaxLength(5000)
  bio?: string;

  @HttpUrlField({ required: false, example: 'https://cdn.example.com/jane.jpg' })
  photoUrl?: string;

  @PatternField(EMAIL_PATTERN, '$property must be an email', {
    required: false,
    maxLength: 254,
    example: 'jane@example.com',
  })
  email?: string;

  @ApiPropertyOptional({ example: '+1 555 0100', maxLength: 40 })
  @Optional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @HttpUrlField({ required: false, example: 'https://janedoe.example.com' })
  websiteUrl?: string;
}

@ClosedObject()
export class SponsorDto {
  @ApiProperty({ minLength: 1, example: 'Acme Realty', maxLength: 120 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @ApiProperty({ minLength: 1, example: 'Sponsored by Acme Realty', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  disclosure!: string;

  @HttpUrlField({ required: false, example: 'https://acme.example.com' })
  url?: string;

  @HttpUrlField({ required: false, example: 'https://acme.example.com/logo.png' })
  logoUrl?: string;
}

@ClosedObject()
export class SectionDto {
  @ApiProperty({ minLength: 1, example: 'About me', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  heading!: string;

  @ApiProperty({ example: 'I have helped 200 families find a home.', maxLength: 20000 })
  @IsString()
  @MaxLength(20000)
  body!: string;
}

@ClosedObject()
export class SeoDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @Optional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @HttpUrlField({ required: false, example: 'https://janedoe.example.com/' })
  canonicalUrl?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  noindex?: boolean;
}

/** Fields shared by create and update; on update every one is optional. */
@ClosedObject()
export class PageContentFieldsDto {
  @ApiProperty({ minLength: 1, example: 'Jane Doe', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ example: 'Your neighbourhood agent in Austin', maxLength: 1000 })
  @Optional()
  @IsString()
  @MaxLength(1000)
  summary?: string;

  @ApiProperty({ type: AgentDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AgentDto)
  agent!: AgentDto;

  @ApiProperty({ type: SponsorDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SponsorDto)
  sponsor!: SponsorDto;

  @ApiPropertyOptional({ type: [SectionDto], maxItems: 50 })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SectionDto)
  sections?: SectionDto[];

  @ApiPropertyOptional({ type: SeoDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => SeoDto)
  seo?: SeoDto;
}
