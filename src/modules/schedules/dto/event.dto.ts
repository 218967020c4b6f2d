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
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  ClosedObject,
  HttpUrlField,
  LOCAL_DATE_OR_TIME_PATTERN,
  LOCAL_DATE_PATTERN,
  Optional,
  PatternField,
  TimeZoneField,
} from '../../../core/http/field-rules';
import { EVENT_STATUSES, type EventStatus } from '../../pages/schemas/schedule.types';

const LOCAL_TIME = LOCAL_DATE_OR_TIME_PATTERN;
const LOCAL_TIME_RULE = 'must be YYYY-MM-DDTHH:mm, or YYYY-MM-DD for an all-day event';
export const LOCAL_DATE = LOCAL_DATE_PATTERN;
const TIMED_OR_ALL_DAY =
  'YYYY-MM-DDTHH:mm, or YYYY-MM-DD when allDay is true (the form must match allDay)';
export const MAX_EXCEPTIONS = 200;

@ClosedObject()
export class EventLocationDto {
  @ApiPropertyOptional({ example: 'Acme Realty office', maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '100 Congress Ave, Austin, TX', maxLength: 500 })
  @Optional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @HttpUrlField({ required: false, example: 'https://meet.example.com/jane' })
  url?: string;

  @ApiPropertyOptional({ description: 'True for an online event' })
  @Optional()
  @IsBoolean()
  online?: boolean;
}

/** Body of `POST .../schedule/events`. Times are wall-clock in the schedule's time zone. */
@ClosedObject()
export class CreateEventDto {
  @ApiProperty({ minLength: 1, example: 'Open house', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000, example: 'Tour the listings with Jane' })
  @Optional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ type: EventLocationDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => EventLocationDto)
  location?: EventLocationDto;

  @PatternField(LOCAL_TIME, `start ${LOCAL_TIME_RULE}`, {
    example: '2027-03-01T09:00',
    description: `Local start: ${TIMED_OR_ALL_DAY}. Must exist in the schedule's zone (not in a DST gap).`,
  })
  start!: string;

  @PatternField(LOCAL_TIME, `end ${LOCAL_TIME_RULE}`, {
    required: false,
    example: '2027-03-01T10:30',
    description: `Local end, after start, in the same form as start. For all-day events the last day (default: start); for timed events default start + 1 hour.`,
  })
  end?: string;

  @ApiPropertyOptional({ default: false })
  @Optional()
  @IsBoolean()
  allDay?: boolean;

  @ApiPropertyOptional({
    example: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231',
    description:
      'RFC 5545 RRULE (DAILY/WEEKLY/MONTHLY/YEARLY; BYDAY, BYMONTH, BYMONTHDAY, BYSETPOS, ' +
      'INTERVAL, COUNT ≤ 1000, UNTIL, WKST). start must be its first occurrence.',
    maxLength: 300,
  })
  @Optional()
  @IsString()
  @MaxLength(300)
  recurrence?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'date', pattern: LOCAL_DATE.source },
    example: ['2027-03-22'],
    description: 'Local dates of occurrences that do not happen (skipped)',
    maxItems: MAX_EXCEPTIONS,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_EXCEPTIONS)
  @IsString({ each: true })
  @Matches(LOCAL_DATE, { each: true, message: 'exceptions must be dates YYYY-MM-DD' })
  exceptions?: string[];

  @ApiPropertyOptional({ enum: EVENT_STATUSES, default: 'scheduled' })
  @Optional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @HttpUrlField({ required: false, example: 'https://example.com/register' })
  registrationUrl?: string;
}

/** Body of `PATCH .../schedule/events/:eventId`: any subset; null removes an optional field. */
@ClosedObject()
export class UpdateEventDto {
  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 200,
    example: 'Open house (new time)',
  })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: 5000,
    nullable: true,
    example: 'Tour the new listings with Jane',
  })
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

  @PatternField(LOCAL_TIME, `start ${LOCAL_TIME_RULE}`, {
    required: false,
    example: '2027-03-01T09:00',
    description: `Local start: ${TIMED_OR_ALL_DAY} of the changed event`,
  })
  start?: string | null;

  @PatternField(LOCAL_TIME, `end ${LOCAL_TIME_RULE}`, {
    required: false,
    nullable: true,
    example: '2027-03-01T10:30',
    description: 'Local end, after start; null resets it to the default',
  })
  end?: string | null;

  @ApiPropertyOptional({ type: Boolean, example: false })
  @Optional()
  @IsBoolean()
  allDay?: boolean | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: 300,
    nullable: true,
    example: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  recurrence?: string | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'date', pattern: LOCAL_DATE.source },
    nullable: true,
    maxItems: MAX_EXCEPTIONS,
    example: ['2027-03-22'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EXCEPTIONS)
  @IsString({ each: true })
  @Matches(LOCAL_DATE, { each: true, message: 'exceptions must be dates YYYY-MM-DD' })
  exceptions?: string[] | null;

  @ApiPropertyOptional({ enum: EVENT_STATUSES, example: 'scheduled' })
  @Optional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus | null;

  @HttpUrlField({ required: false, nullable: true, example: 'https://example.com/register' })
  registrationUrl?: string | null;
}

@ClosedObject()
export class TimezoneDto {
  @TimeZoneField({ example: 'America/Chicago', description: 'IANA time zone name' })
  timezone!: string;
}

@ClosedObject()
export class CancellationDto {
  @PatternField(LOCAL_DATE, 'date must be a date YYYY-MM-DD', {
    format: 'date',
    example: '2027-03-29',
    description: "Local date of the occurrence's start",
  })
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
  @ApiProperty({ example: 'Open house' }) title!: string;
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
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'iCalendar SEQUENCE, bumped on every change',
  })
  sequence!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ScheduleResponseDto {
  @ApiProperty({ example: 'America/Chicago' }) timezone!: string;
  @ApiProperty({ type: [EventResponseDto] }) events!: EventResponseDto[];
}
