import type { EventResponseDto, ScheduleResponseDto } from './dto/event.dto';
import type { OccurrenceDto, OccurrencesResponseDto } from './dto/occurrences.dto';
import { isoWithOffset } from './local-time';
import type { Occurrence, Window } from './occurrences';
import { toPublicEvent } from '../pages/live-snapshot';
import type { Schedule, ScheduleEvent } from '../pages/schemas/schedule.types';

/** The admin view of an event: the public fields plus its bookkeeping. */
export function toEventResponse(e: ScheduleEvent): EventResponseDto {
  return {
    ...toPublicEvent(e),
    exceptions: e.exceptions ?? [],
    cancellations: e.cancellations ?? [],
    sequence: e.sequence,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toScheduleResponse(schedule: Schedule): ScheduleResponseDto {
  return { timezone: schedule.timezone, events: schedule.events.map(toEventResponse) };
}

export function toOccurrence(o: Occurrence): OccurrenceDto {
  return {
    eventId: o.event.id,
    date: o.date,
    title: o.event.title,
    description: o.event.description,
    location: o.event.location,
    start: isoWithOffset(o.start),
    end: isoWithOffset(o.end),
    allDay: o.event.allDay,
    status: o.status,
    recurring: Boolean(o.event.recurrence),
    registrationUrl: o.event.registrationUrl,
  };
}

export function toOccurrencesResponse(
  slug: string,
  timezone: string,
  window: Window,
  occurrences: Occurrence[],
  truncated: boolean,
): OccurrencesResponseDto {
  return {
    slug,
    timezone,
    from: isoWithOffset(window.from),
    to: isoWithOffset(window.to),
    truncated,
    occurrences: occurrences.map(toOccurrence),
  };
}
