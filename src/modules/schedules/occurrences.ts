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
  /**
   * Most candidate occurrences looked at for the whole request, across all events (skipped
   * exceptions and the margin before the window included). Unset: no limit.
   */
  budget?: number;
}

export interface Expansion {
  occurrences: Occurrence[];
  /**
   * False: the list is complete. True: it may not be; what is returned is still the earliest
   * part, in order. A cap says so only when it left an occurrence out; the budget says so
   * whenever it ran out before the series did, since what it did not look at is unknown.
   */
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

/** Why an event's stream ended: the series ran out, its cap bit, or the request's budget did. */
export type StreamEnd = 'done' | 'capped' | 'exhausted';

/** The work left for a request, shared by the streams of all its events. */
export interface Budget {
  left: number;
}

/** Candidates fetched from rrule per step of a stream: small first, doubling up to a bound. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 256;

/**
 * The occurrences of one event that overlap the window, earliest first, at most `max`, computed
 * lazily: the series is read from rrule a chunk at a time, so a consumer that stops early (the
 * merge of `expandSchedule`) costs only what it read. Each chunk is charged to `budget` before it
 * is looked at; the stream returns why it ended.
 *
 * Duration: a timed occurrence lasts exactly as long (in elapsed time) as the first one, as
 * RFC 5545 §3.8.5.3 prescribes for a DTSTART/DTEND pair, so a 09:00–10:00 event stays one hour
 * on the DST days too. An all-day occurrence spans the same number of local days.
 */
export function* eventOccurrences(
  event: ScheduleEvent,
  zone: string,
  window: Window,
  max: number,
  budget: Budget,
  reanchor = true,
): Generator<Occurrence, StreamEnd> {
  const timing = timingOf(event, zone);
  if (!timing) return 'done';
  const exceptions = new Set(event.exceptions ?? []);
  const cancellations = new Set(event.cancellations ?? []);
  const spanDays = Math.round((timing.end.getTime() - timing.start.getTime()) / DAY_MS);
  const durationMs =
    resolveLocal(timing.end, zone).toMillis() - resolveLocal(timing.start, zone).toMillis();
  const fromMs = window.from.toMillis();
  const toMs = window.to.toMillis();

  let yielded = 0;
  /** The occurrence starting at `f`, `null` to skip it, `'past'` once starts are past the window. */
  const candidate = (f: Floating): Occurrence | null | 'past' => {
    const date = localDate(f);
    if (exceptions.has(date)) return null;
    const start = resolveLocal(f, zone);
    if (start.toMillis() >= toMs) return 'past';
    const end = event.allDay
      ? resolveLocal(addDays(f, spanDays), zone)
      : start.plus({ milliseconds: durationMs });
    if (end.toMillis() <= fromMs) return null;
    const cancelled = event.status === 'cancelled' || cancellations.has(date);
    return { event, date, start, end, status: cancelled ? 'cancelled' : 'scheduled' };
  };

  let starts: Iterable<Floating>;
  if (!timing.rule) {
    starts = [timing.start];
  } else {
    // Wall-clock bounds with a margin: the exact instants are filtered in `candidate`.
    const span = timing.end.getTime() - timing.start.getTime();
    const from = new Date(toFloating(window.from.setZone(zone)).getTime() - span - 2 * DAY_MS);
    const to = new Date(toFloating(window.to.setZone(zone)).getTime() + 2 * DAY_MS);
    starts = chunkedStarts(timing.rule, timing.start, from, to, budget, reanchor);
  }
  for (const f of starts) {
    const o = candidate(f);
    if (o === 'past') return 'done';
    if (o === null) continue;
    if (yielded >= max) return 'capped';
    yielded++;
    yield o;
  }
  return budget.left < 0 ? 'exhausted' : 'done';
}

/**
 * Wall-clock starts of a series between `from` and `to`, read from rrule in growing chunks, each
 * resumed just after the previous one's last start (re-anchoring keeps each resumption cheap).
 * Stops, leaving `budget.left` negative, when the budget cannot pay for the next chunk.
 */
function* chunkedStarts(
  rule: RecurrenceRule,
  start: Floating,
  from: Floating,
  to: Floating,
  budget: Budget,
  reanchor: boolean,
): Generator<Floating> {
  let size = FIRST_CHUNK;
  let cursor = from;
  for (;;) {
    const chunk: Floating[] = [];
    eachOccurrence(rule, start, cursor, to, (f) => chunk.push(f) < size, reanchor);
    budget.left -= chunk.length;
    if (budget.left < 0) return;
    yield* chunk;
    if (chunk.length < size) return;
    cursor = new Date(chunk[chunk.length - 1].getTime() + 1);
    size = Math.min(2 * size, MAX_CHUNK);
  }
}

/** The occurrences of one event that overlap the window, earliest first, at most `max`. */
export function expandEvent(
  event: ScheduleEvent,
  zone: string,
  window: Window,
  max: number,
  reanchor = true,
): Expansion {
  const stream = eventOccurrences(event, zone, window, max, { left: Infinity }, reanchor);
  const occurrences: Occurrence[] = [];
  for (let step = stream.next(); ; step = stream.next()) {
    if (step.done) return { occurrences, truncated: step.value !== 'done' };
    occurrences.push(step.value);
  }
}

export function compareOccurrences(a: Occurrence, b: Occurrence): number {
  return (
    a.start.toMillis() - b.start.toMillis() ||
    a.end.toMillis() - b.end.toMillis() ||
    (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0)
  );
}

interface Head {
  occurrence: Occurrence;
  stream: Generator<Occurrence, StreamEnd>;
}

/**
 * The occurrences of a schedule in the window, sorted by start (then end, then event id), capped
 * per event, in total and by the request's budget: a k-way merge of the events' lazy streams
 * (a binary heap of their heads), so the work is about what is returned, not what the window
 * holds. It stops as soon as the cut is certain, and is always an exact prefix of the full list:
 * - `maxTotal` returned: truncated if any stream still has a head;
 * - an event's cap bites (its stream ends `capped` right after its last occurrence was taken):
 *   everything after that occurrence is cut, since that event's next one is not known;
 * - the budget runs out in a stream: cut there, for the same reason.
 */
export function expandSchedule(
  schedule: Schedule,
  window: Window,
  limits: ExpansionLimits,
  reanchor = true,
): Expansion {
  const budget: Budget = { left: limits.budget ?? Infinity };
  const max = Math.max(1, limits.maxPerEvent);
  const heap: Head[] = [];
  const before = (a: Head, b: Head) => compareOccurrences(a.occurrence, b.occurrence) < 0;
  /** Puts the stream's next occurrence on the heap; false when the merge must stop there. */
  const advance = (stream: Generator<Occurrence, StreamEnd>): boolean => {
    const step = stream.next();
    if (step.done) return step.value === 'done';
    heapPush(heap, { occurrence: step.value, stream }, before);
    return true;
  };

  for (const event of schedule.events) {
    const stream = eventOccurrences(event, schedule.timezone, window, max, budget, reanchor);
    if (!advance(stream)) return { occurrences: [], truncated: true };
  }
  const occurrences: Occurrence[] = [];
  while (heap.length > 0) {
    if (occurrences.length >= limits.maxTotal) return { occurrences, truncated: true };
    const head = heapPop(heap, before)!;
    occurrences.push(head.occurrence);
    if (!advance(head.stream)) return { occurrences, truncated: true };
  }
  return { occurrences, truncated: false };
}

function heapPush<T>(heap: T[], item: T, before: (a: T, b: T) => boolean): void {
  heap.push(item);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop<T>(heap: T[], before: (a: T, b: T) => boolean): T | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || last === undefined) return top;
  heap[0] = last;
  for (let i = 0; ;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l], heap[m])) m = l;
    if (r < heap.length && before(heap[r], heap[m])) m = r;
    if (m === i) return top;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
