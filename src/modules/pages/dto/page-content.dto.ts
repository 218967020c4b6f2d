import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { HTTP_URL } from '../../../core/http/url-rules';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,78})[a-z0-9]$/;
export const SLUG_RULE =
  'slug must be 3-80 characters of lowercase a-z, 0-9 and "-", not starting or ending with "-"';

export function IsSlug(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsString()(target, key);
    Matches(SLUG_PATTERN, { message: SLUG_RULE })(target, key);
  };
}

export class AgentDto {
  @ApiProperty({ example: 'Jane Doe', maxLength: 120 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @ApiPropertyOptional({ example: 'Realtor', maxLength: 120 })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  title?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  bio?: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/jane.jpg' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  photoUrl?: string;

  @ApiPropertyOptional({ example: 'jane@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+1 555 0100' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'https://janedoe.example.com' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  websiteUrl?: string;
}

export class SponsorDto {
  @ApiProperty({ example: 'Acme Realty', maxLength: 120 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @ApiProperty({ example: 'Sponsored by Acme Realty', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  disclosure!: string;

  @ApiPropertyOptional({ example: 'https://acme.example.com' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  logoUrl?: string;
}

export class SectionDto {
  @ApiProperty({ example: 'About me', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  heading!: string;

  @ApiProperty({ example: 'I have helped 200 families find a home.', maxLength: 20000 })
  @IsString()
  @MaxLength(20000)
  body!: string;
}

export class SeoDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  canonicalUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  noindex?: boolean;
}

/** Fields shared by create and update; on update every one is optional. */
export class PageContentFieldsDto {
  @ApiProperty({ example: 'Jane Doe', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ example: 'Your neighbourhood agent in Austin', maxLength: 1000 })
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SectionDto)
  sections?: SectionDto[];

  @ApiPropertyOptional({ type: SeoDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SeoDto)
  seo?: SeoDto;
}
