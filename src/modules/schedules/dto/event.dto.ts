import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
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
import { EVENT_STATUSES, type EventStatus } from '../../pages/schemas/schedule.types';

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/;
const LOCAL_TIME_RULE = 'must be YYYY-MM-DDTHH:mm, or YYYY-MM-DD for an all-day event';
export const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_EXCEPTIONS = 200;

export class EventLocationDto {
  @ApiPropertyOptional({ example: 'Acme Realty office', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '100 Congress Ave, Austin, TX', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: 'https://meet.example.com/jane', description: 'http(s) only' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ description: 'True for an online event' })
  @IsOptional()
  @IsBoolean()
  online?: boolean;
}

/** Body of `POST .../schedule/events`. Times are wall-clock in the schedule's time zone. */
export class CreateEventDto {
  @ApiProperty({ example: 'Open house', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ type: EventLocationDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EventLocationDto)
  location?: EventLocationDto;

  @ApiProperty({
    example: '2027-03-01T09:00',
    description: 'Local start (YYYY-MM-DDTHH:mm; YYYY-MM-DD when allDay). Must exist in the zone.',
  })
  @IsString()
  @Matches(LOCAL_TIME, { message: `start ${LOCAL_TIME_RULE}` })
  start!: string;

  @ApiPropertyOptional({
    example: '2027-03-01T10:30',
    description: 'Local end, after start. For all-day events the last day (default: start).',
  })
  @IsOptional()
  @IsString()
  @Matches(LOCAL_TIME, { message: `end ${LOCAL_TIME_RULE}` })
  end?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  allDay?: boolean;

  @ApiPropertyOptional({
    example: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231',
    description:
      'RFC 5545 RRULE (DAILY/WEEKLY/MONTHLY/YEARLY; BYDAY, BYMONTH, BYMONTHDAY, BYSETPOS, ' +
      'INTERVAL, COUNT ≤ 1000, UNTIL, WKST). start must be its first occurrence.',
    maxLength: 300,
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  recurrence?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['2027-03-22'],
    description: 'Local dates of occurrences that do not happen (skipped)',
    maxItems: MAX_EXCEPTIONS,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EXCEPTIONS)
  @IsString({ each: true })
  @Matches(LOCAL_DATE, { each: true, message: 'exceptions must be dates YYYY-MM-DD' })
  exceptions?: string[];

  @ApiPropertyOptional({ enum: EVENT_STATUSES, default: 'scheduled' })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @ApiPropertyOptional({ example: 'https://example.com/register', description: 'http(s) only' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  registrationUrl?: string;
}

/** Body of `PATCH .../schedule/events/:eventId`: any subset; null removes an optional field. */
export class UpdateEventDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string | null;

  @ApiPropertyOptional({ maxLength: 5000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({ type: EventLocationDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EventLocationDto)
  location?: EventLocationDto | null;

  @ApiPropertyOptional({ example: '2027-03-01T09:00' })
  @IsOptional()
  @IsString()
  @Matches(LOCAL_TIME, { message: `start ${LOCAL_TIME_RULE}` })
  start?: string | null;

  @ApiPropertyOptional({ example: '2027-03-01T10:30' })
  @IsOptional()
  @IsString()
  @Matches(LOCAL_TIME, { message: `end ${LOCAL_TIME_RULE}` })
  end?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  allDay?: boolean | null;

  @ApiPropertyOptional({ maxLength: 300, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  recurrence?: string | null;

  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: MAX_EXCEPTIONS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EXCEPTIONS)
  @IsString({ each: true })
  @Matches(LOCAL_DATE, { each: true, message: 'exceptions must be dates YYYY-MM-DD' })
  exceptions?: string[] | null;

  @ApiPropertyOptional({ enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  registrationUrl?: string | null;
}

export class TimezoneDto {
  @ApiProperty({ example: 'America/Chicago', description: 'IANA time zone name' })
  @IsString()
  @MaxLength(64)
  timezone!: string;
}

export class CancellationDto {
  @ApiProperty({ example: '2027-03-29', description: "Local date of the occurrence's start" })
  @IsString()
  @Matches(LOCAL_DATE, { message: 'date must be a date YYYY-MM-DD' })
  date!: string;
}

const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** `?live=true`: apply the change to the live page too, in the same write. */
export class LiveQuery {
  @ApiPropertyOptional({
    description:
      'Also apply the change to the live page now (without publishing other draft edits); ' +
      'the page must be published',
    default: false,
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'live must be true or false' })
  live?: boolean;
}

export class EventLocationViewDto extends EventLocationDto {}

export class EventResponseDto {
  @ApiProperty({ example: '0b6f8f0e-7a51-4c47-9f55-0d0f2b5f3f9a' }) id!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional({ type: EventLocationViewDto }) location?: EventLocationViewDto;
  @ApiProperty({ example: '2027-03-01T09:00' }) start!: string;
  @ApiProperty({ example: '2027-03-01T10:30' }) end!: string;
  @ApiProperty() allDay!: boolean;
  @ApiPropertyOptional({ example: 'FREQ=WEEKLY;BYDAY=MO' }) recurrence?: string;
  @ApiProperty({ type: [String] }) exceptions!: string[];
  @ApiProperty({ type: [String], description: 'Local dates of cancelled occurrences' })
  cancellations!: string[];
  @ApiProperty({ enum: EVENT_STATUSES }) status!: EventStatus;
  @ApiPropertyOptional() registrationUrl?: string;
  @ApiProperty({ description: 'iCalendar SEQUENCE, bumped on every change' }) sequence!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ScheduleResponseDto {
  @ApiProperty({ example: 'America/Chicago' }) timezone!: string;
  @ApiProperty({ type: [EventResponseDto] }) events!: EventResponseDto[];
}
