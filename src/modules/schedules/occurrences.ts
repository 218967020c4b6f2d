import type { DateTime } from 'luxon';
import {
  DAY_MS,
  type Floating,
  addDays,
  localDate,
  parseLocal,
  resolveLocal,
  toFloating,
} from './local-time';
import { type RecurrenceRule, eachOccurrence, parseRecurrence } from './recurrence';
import type { EventStatus, Schedule, ScheduleEvent } from '../pages/schemas/schedule.types';

export interface Occurrence {
  event: ScheduleEvent;
  /** Local date of the occurrence's (nominal) start: the name exceptions and cancellations use. */
  date: string;
  start: DateTime;
  end: DateTime;
  status: EventStatus;
}

/** A half-open window of instants: an occurrence is in it when it overlaps it. */
export interface Window {
  from: DateTime;
  to: DateTime;
}

export interface ExpansionLimits {
  maxPerEvent: number;
  maxTotal: number;
}

export interface Expansion {
  occurrences: Occurrence[];
  /** True when a cap cut the list; what is returned is still the earliest part, in order. */
  truncated: boolean;
}

/** An event's times as wall-clock values; `end` is exclusive (the day after, for all-day). */
export interface EventTiming {
  start: Floating;
  end: Floating;
  rule: RecurrenceRule | null;
}

export function timingOf(event: ScheduleEvent, zone: string): EventTiming | null {
  const start = parseLocal(event.start, event.allDay);
  const last = parseLocal(event.end, event.allDay);
  if (!start || !last) return null;
  return {
    start,
    end: event.allDay ? addDays(last, 1) : last,
    rule: event.recurrence
      ? parseRecurrence(event.recurrence, { allDay: event.allDay, zone })
      : null,
  };
}

/**
 * The occurrences of one event that overlap the window, earliest first, at most `max`.
 *
 * Duration: a timed occurrence lasts exactly as long (in elapsed time) as the first one, as
 * RFC 5545 §3.8.5.3 prescribes for a DTSTART/DTEND pair, so a 09:00–10:00 event stays one hour
 * on the DST days too. An all-day occurrence spans the same number of local days.
 */
export function expandEvent(
  event: ScheduleEvent,
  zone: string,
  window: Window,
  max: number,
  reanchor = true,
): Expansion {
  const timing = timingOf(event, zone);
  if (!timing) return { occurrences: [], truncated: false };
  const exceptions = new Set(event.exceptions ?? []);
  const cancellations = new Set(event.cancellations ?? []);
  const spanDays = Math.round((timing.end.getTime() - timing.start.getTime()) / DAY_MS);
  const durationMs =
    resolveLocal(timing.end, zone).toMillis() - resolveLocal(timing.start, zone).toMillis();
  const fromMs = window.from.toMillis();
  const toMs = window.to.toMillis();

  const occurrences: Occurrence[] = [];
  let truncated = false;
  const visit = (f: Floating): boolean => {
    const date = localDate(f);
    if (exceptions.has(date)) return true;
    const start = resolveLocal(f, zone);
    if (start.toMillis() >= toMs) return false;
    const end = event.allDay
      ? resolveLocal(addDays(f, spanDays), zone)
      : start.plus({ milliseconds: durationMs });
    if (end.toMillis() <= fromMs) return true;
    if (occurrences.length >= max) {
      truncated = true;
      return false;
    }
    const cancelled = event.status === 'cancelled' || cancellations.has(date);
    occurrences.push({ event, date, start, end, status: cancelled ? 'cancelled' : 'scheduled' });
    return true;
  };

  if (!timing.rule) {
    visit(timing.start);
  } else {
    // Wall-clock bounds with a margin: the exact instants are filtered in `visit`.
    const span = timing.end.getTime() - timing.start.getTime();
    const from = new Date(toFloating(window.from.setZone(zone)).getTime() - span - 2 * DAY_MS);
    const to = new Date(toFloating(window.to.setZone(zone)).getTime() + 2 * DAY_MS);
    eachOccurrence(timing.rule, timing.start, from, to, visit, reanchor);
  }
  return { occurrences, truncated };
}

export function compareOccurrences(a: Occurrence, b: Occurrence): number {
  return (
    a.start.toMillis() - b.start.toMillis() ||
    a.end.toMillis() - b.end.toMillis() ||
    (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0)
  );
}

/**
 * All occurrences of a schedule in the window, sorted by start (then end, then event id), capped
 * per event and in total. When a cap bites, the result is cut where the first truncated event
 * stopped, so it is always an exact prefix of the full list.
 */
export function expandSchedule(
  schedule: Schedule,
  window: Window,
  limits: ExpansionLimits,
  reanchor = true,
): Expansion {
  const all: Occurrence[] = [];
  let cutoff: Occurrence | null = null;
  for (const event of schedule.events) {
    const max = Math.max(1, limits.maxPerEvent);
    const expansion = expandEvent(event, schedule.timezone, window, max, reanchor);
    all.push(...expansion.occurrences);
    const last = expansion.occurrences[expansion.occurrences.length - 1];
    if (expansion.truncated && last && (!cutoff || compareOccurrences(last, cutoff) < 0))
      cutoff = last;
  }
  all.sort(compareOccurrences);
  let occurrences = cutoff ? all.filter((o) => compareOccurrences(o, cutoff) <= 0) : all;
  let truncated = cutoff !== null;
  if (occurrences.length > limits.maxTotal) {
    occurrences = occurrences.slice(0, limits.maxTotal);
    truncated = true;
  }
  return { occurrences, truncated };
}
