import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PatternField, WINDOW_BOUND_PATTERN } from '../../../core/http/field-rules';
import { EVENT_STATUSES, type EventStatus } from '../../pages/schemas/schedule.types';
import { EventLocationViewDto } from './event.dto';

const WINDOW_BOUND = WINDOW_BOUND_PATTERN;
const BOUND_RULE =
  'must be a date (YYYY-MM-DD) or an ISO-8601 date-time (with Z or an offset, or local to the schedule)';

export class OccurrencesQuery {
  @PatternField(WINDOW_BOUND, `from ${BOUND_RULE}`, {
    required: false,
    example: '2027-03-01',
    description:
      'Window start (inclusive). A date means the start of that local day; a date-time without ' +
      'offset is local to the schedule: one the clocks skipped reads as the moment they jumped, ' +
      'one they repeated as its later reading. Default: now (rounded down to the hour).',
  })
  from?: string;

  @PatternField(WINDOW_BOUND, `to ${BOUND_RULE}`, {
    required: false,
    example: '2027-05-31',
    description:
      'Window end (exclusive). A date means the end of that local day; a local date-time reads ' +
      'as for from. Default: from + 90 days. ' +
      'After from, and at most 366 days after it.',
  })
  to?: string;
}

export class OccurrenceDto {
  @ApiProperty({ example: '0b6f8f0e-7a51-4c47-9f55-0d0f2b5f3f9a' }) eventId!: string;
  @ApiProperty({ example: '2027-03-29', description: 'Local date of the occurrence (its name)' })
  date!: string;
  @ApiProperty({ example: 'Open house' }) title!: string;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional({ type: EventLocationViewDto }) location?: EventLocationViewDto;
  @ApiProperty({ format: 'date-time', example: '2027-03-29T09:00:00-05:00' }) start!: string;
  @ApiProperty({
    format: 'date-time',
    example: '2027-03-29T10:30:00-05:00',
    description: 'Exclusive',
  })
  end!: string;
  @ApiProperty() allDay!: boolean;
  @ApiProperty({ enum: EVENT_STATUSES }) status!: EventStatus;
  @ApiProperty() recurring!: boolean;
  @ApiPropertyOptional() registrationUrl?: string;
}

export class OccurrencesResponseDto {
  @ApiProperty({ example: 'jane-doe' }) slug!: string;
  @ApiProperty({ example: 'America/Chicago' }) timezone!: string;
  @ApiProperty({ format: 'date-time', example: '2027-03-01T00:00:00-06:00' }) from!: string;
  @ApiProperty({ format: 'date-time', example: '2027-06-01T00:00:00-05:00' }) to!: string;
  @ApiProperty({
    description:
      'False: the list is complete. True: it may not be (a cap, or the per-request work ' +
      'budget, stopped it); what is shown is its earliest part. Ask for a narrower window.',
  })
  truncated!: boolean;
  @ApiProperty({ type: [OccurrenceDto] }) occurrences!: OccurrenceDto[];
}
