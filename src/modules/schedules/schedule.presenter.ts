import type { EventResponseDto, ScheduleResponseDto } from './dto/event.dto';
import type { OccurrenceDto, OccurrencesResponseDto } from './dto/occurrences.dto';
import { isoWithOffset } from './local-time';
import type { Occurrence, Window } from './occurrences';
import type { Schedule, ScheduleEvent } from './schemas/schedule.types';

/** The public view of an event: bookkeeping fields (sequence, timestamps) stay private. */
export function toPublicEvent(e: ScheduleEvent): Record<string, unknown> {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    location: e.location,
    start: e.start,
    end: e.end,
    allDay: e.allDay,
    recurrence: e.recurrence,
    exceptions: e.exceptions,
    cancellations: e.cancellations,
    status: e.status,
    registrationUrl: e.registrationUrl,
  };
}

export function toPublicSchedule(schedule: Schedule): {
  timezone: string;
  events: Record<string, unknown>[];
} {
  return { timezone: schedule.timezone, events: schedule.events.map(toPublicEvent) };
}

/** The admin view of an event, field by field (stored documents may carry nothing else). */
export function toEventResponse(e: ScheduleEvent): EventResponseDto {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    location: e.location,
    start: e.start,
    end: e.end,
    allDay: e.allDay,
    recurrence: e.recurrence,
    exceptions: e.exceptions ?? [],
    cancellations: e.cancellations ?? [],
    status: e.status,
    registrationUrl: e.registrationUrl,
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
