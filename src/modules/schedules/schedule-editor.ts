import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { stripUndefined } from '../../core/util/strip-undefined';
import {
  existsInZone,
  formatLocal,
  isIanaZone,
  parseLocal,
  parseLocalDate,
  resolveLocal,
  MAX_YEAR,
  MIN_YEAR,
} from './local-time';
import { type EventTiming } from './occurrences';
import { RecurrenceError, occursOn, parseRecurrence, startsOnRule } from './recurrence';
import type {
  EventLocation,
  EventStatus,
  Schedule,
  ScheduleEvent,
} from '../pages/schemas/schedule.types';

/** What an admin may set on an event (the DTOs have checked types, lengths and URLs). */
export interface EventInput {
  title: string;
  description?: string;
  location?: EventLocation;
  start: string;
  end?: string;
  allDay?: boolean;
  recurrence?: string;
  exceptions?: string[];
  status?: EventStatus;
  registrationUrl?: string;
}

/** A partial update: a field set to null is removed (optional fields) or refused (required). */
export type EventPatch = { [K in keyof EventInput]?: EventInput[K] | null };

export const MAX_CANCELLATIONS = 200;
const REQUIRED: ReadonlySet<string> = new Set(['title', 'start', 'end', 'allDay', 'status']);
const TIMING_FIELDS = ['start', 'end', 'allDay', 'recurrence'] as const;

export interface EditResult {
  schedule: Schedule;
  event?: ScheduleEvent;
  changed: boolean;
}

const invalid = (message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, message);

function eventNotFound(id: string): DomainError {
  return new DomainError(ErrorCode.EventNotFound, `No event with id "${id}" on this page`);
}

function localFormat(allDay: boolean): string {
  return allDay
    ? `a date YYYY-MM-DD (years ${MIN_YEAR}-${MAX_YEAR}) for an all-day event`
    : `a local date-time YYYY-MM-DDTHH:mm (years ${MIN_YEAR}-${MAX_YEAR}) in the schedule's time zone`;
}

/**
 * Checks an event's times and rule in `zone` and returns them parsed. Wall-clock times skipped by
 * a DST change are refused for `start`/`end` (we never store a time that does not exist; the
 * message names the time it would become); recurrence instances that fall into a gap are moved
 * forward by the gap, as RFC 5545 says (see resolveLocal).
 */
export function checkTiming(event: ScheduleEvent, zone: string): EventTiming {
  const start = parseLocal(event.start, event.allDay);
  if (!start) throw invalid(`start must be ${localFormat(event.allDay)}`);
  const last = parseLocal(event.end, event.allDay);
  if (!last) throw invalid(`end must be ${localFormat(event.allDay)}`);
  if (event.allDay) {
    if (last < start) throw invalid('end must not be before start for an all-day event');
  } else {
    for (const [field, value] of [
      ['start', start],
      ['end', last],
    ] as const) {
      if (!existsInZone(value, zone)) {
        throw invalid(
          `${field} ${formatLocal(value, false)} does not exist in ${zone} (skipped by a daylight-saving change); ` +
            `use ${resolveLocal(value, zone).toFormat("yyyy-LL-dd'T'HH:mm")}`,
        );
      }
    }
    if (resolveLocal(last, zone) <= resolveLocal(start, zone))
      throw invalid('end must be after start');
  }
  let rule = null;
  if (event.recurrence !== undefined) {
    try {
      rule = parseRecurrence(event.recurrence, { allDay: event.allDay, zone });
    } catch (error) {
      if (error instanceof RecurrenceError)
        throw invalid(`recurrence is invalid: ${error.message}`);
      throw error;
    }
    if (rule.until && rule.until < start) throw invalid('recurrence UNTIL is before start');
    if (!startsOnRule(rule, start))
      throw invalid(
        `recurrence does not include start ${event.start}: start must be the first occurrence`,
      );
  }
  return { start, end: event.allDay ? new Date(last.getTime() + 86_400_000) : last, rule };
}

function checkDates(field: string, dates: string[], timing: EventTiming): void {
  for (const date of dates) {
    const day = parseLocalDate(date);
    if (!day) throw invalid(`${field} must be dates YYYY-MM-DD, got "${date}"`);
    if (!occursOn(timing.rule, timing.start, day))
      throw invalid(`${field}: the event does not occur on ${date}`);
  }
}

/** Full check of an event in `zone`; returns it with its rule in canonical form. */
export function validateEvent(event: ScheduleEvent, zone: string): ScheduleEvent {
  const timing = checkTiming(event, zone);
  if (event.exceptions.length > 0 && !timing.rule)
    throw invalid('exceptions are only allowed on a recurring event');
  checkDates('exceptions', event.exceptions, timing);
  checkDates('cancellations', event.cancellations, timing);
  return timing.rule ? { ...event, recurrence: timing.rule.text } : event;
}

const uniqueSorted = (dates: string[]): string[] => [...new Set(dates)].sort();

function touch(event: ScheduleEvent, now: Date): ScheduleEvent {
  return { ...event, sequence: event.sequence + 1, updatedAt: now.toISOString() };
}

function replaceEvent(schedule: Schedule, event: ScheduleEvent): Schedule {
  return { ...schedule, events: schedule.events.map((e) => (e.id === event.id ? event : e)) };
}

export function findEvent(schedule: Schedule, id: string): ScheduleEvent | undefined {
  return schedule.events.find((e) => e.id === id);
}

export function setTimezone(schedule: Schedule, zone: string, now: Date): EditResult {
  if (!isIanaZone(zone)) throw invalid(`timezone must be an IANA time zone name, got "${zone}"`);
  if (zone === schedule.timezone) return { schedule, changed: false };
  const events = schedule.events.map((event) => {
    try {
      // Events keep their wall-clock times; their instants move, so subscribers must update.
      return touch(validateEvent(event, zone), now);
    } catch (error) {
      if (error instanceof DomainError)
        throw invalid(`timezone ${zone} does not fit event "${event.title}": ${error.message}`);
      throw error;
    }
  });
  return { schedule: { timezone: zone, events }, changed: true };
}

export function addEvent(
  schedule: Schedule,
  input: EventInput,
  id: string,
  now: Date,
  maxEvents: number,
): EditResult {
  if (schedule.events.length >= maxEvents)
    throw invalid(`events: a page has at most ${maxEvents} events`);
  const allDay = input.allDay ?? false;
  if (input.end === undefined && !allDay) throw invalid('end is required unless allDay is true');
  const event = validateEvent(
    stripUndefined<ScheduleEvent>({
      id,
      title: input.title,
      description: input.description,
      location: input.location,
      start: input.start,
      end: input.end ?? input.start,
      allDay,
      recurrence: input.recurrence,
      exceptions: uniqueSorted(input.exceptions ?? []),
      cancellations: [],
      status: input.status ?? 'scheduled',
      registrationUrl: input.registrationUrl,
      sequence: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    }),
    schedule.timezone,
  );
  return { schedule: { ...schedule, events: [...schedule.events, event] }, event, changed: true };
}

export function patchEvent(
  schedule: Schedule,
  id: string,
  patch: EventPatch,
  now: Date,
): EditResult {
  const current = findEvent(schedule, id);
  if (!current) throw eventNotFound(id);
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      if (REQUIRED.has(key)) throw invalid(`${key} must not be null`);
      if (key === 'exceptions') next.exceptions = [];
      else delete next[key];
    } else {
      next[key] = key === 'exceptions' ? uniqueSorted(value as string[]) : value;
    }
  }
  let event = next as unknown as ScheduleEvent;
  const timingChanged = TIMING_FIELDS.some((f) => event[f] !== current[f]);
  if (timingChanged) {
    // Cancellations (and exceptions not being set now) name occurrences of the old series; those
    // the new series no longer has are dropped rather than left to confuse calendar clients.
    const timing = checkTiming(event, schedule.timezone);
    const stillOccurs = (date: string) => {
      const day = parseLocalDate(date);
      return day !== null && occursOn(timing.rule, timing.start, day);
    };
    event = {
      ...event,
      cancellations: event.cancellations.filter(stillOccurs),
      exceptions:
        patch.exceptions === undefined ? event.exceptions.filter(stillOccurs) : event.exceptions,
    };
  }
  event = validateEvent(event, schedule.timezone);
  if (JSON.stringify(event) === JSON.stringify(current)) return { schedule, event, changed: false };
  event = touch(event, now);
  return { schedule: replaceEvent(schedule, event), event, changed: true };
}

export function removeEvent(schedule: Schedule, id: string): EditResult {
  if (!findEvent(schedule, id)) throw eventNotFound(id);
  return {
    schedule: { ...schedule, events: schedule.events.filter((e) => e.id !== id) },
    changed: true,
  };
}

export function cancelOccurrence(
  schedule: Schedule,
  id: string,
  date: string,
  now: Date,
): EditResult {
  const event = findEvent(schedule, id);
  if (!event) throw eventNotFound(id);
  if (!event.recurrence)
    throw new DomainError(
      ErrorCode.InvalidState,
      'the event does not recur; cancel it as a whole with "status": "cancelled"',
    );
  const timing = checkTiming(event, schedule.timezone);
  const day = parseLocalDate(date);
  if (!day) throw invalid(`date must be a date YYYY-MM-DD, got "${date}"`);
  if (event.exceptions.includes(date) || !occursOn(timing.rule, timing.start, day))
    throw invalid(`date: the event has no occurrence on ${date}`);
  if (event.cancellations.includes(date)) return { schedule, event, changed: false };
  if (event.cancellations.length >= MAX_CANCELLATIONS)
    throw invalid(`date: an event has at most ${MAX_CANCELLATIONS} cancelled occurrences`);
  const updated = touch(
    { ...event, cancellations: uniqueSorted([...event.cancellations, date]) },
    now,
  );
  return { schedule: replaceEvent(schedule, updated), event: updated, changed: true };
}

export function restoreOccurrence(
  schedule: Schedule,
  id: string,
  date: string,
  now: Date,
): EditResult {
  const event = findEvent(schedule, id);
  if (!event) throw eventNotFound(id);
  if (!event.cancellations.includes(date)) return { schedule, event, changed: false };
  const updated = touch(
    { ...event, cancellations: event.cancellations.filter((d) => d !== date) },
    now,
  );
  return { schedule: replaceEvent(schedule, updated), event: updated, changed: true };
}
