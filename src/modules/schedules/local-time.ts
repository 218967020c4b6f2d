import { DateTime, IANAZone } from 'luxon';
import { cachedZone } from './zone-offsets';

/**
 * A wall-clock time with no zone, carried as a Date whose UTC fields are the wall clock. This is
 * rrule's "floating" convention: recurrence is expanded on wall-clock times, and each occurrence
 * is placed in the schedule's zone only afterwards, so a weekly 09:00 stays 09:00 across DST.
 */
export type Floating = Date;

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;
export const DAY_MS = 86_400_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** `YYYY-MM-DD` (allDay) or `YYYY-MM-DDTHH:mm`; null if malformed, not a real date or out of range. */
export function parseLocal(value: unknown, allDay: boolean): Floating | null {
  if (typeof value !== 'string') return null;
  const match = (allDay ? DATE : DATE_TIME).exec(value);
  if (!match) return null;
  const [year, month, day, hour = 0, minute = 0] = match.slice(1).map(Number);
  if (year < MIN_YEAR || year > MAX_YEAR || hour > 23 || minute > 59) return null;
  const dt = DateTime.fromObject({ year, month, day, hour, minute }, { zone: 'utc' });
  return dt.isValid ? dt.toJSDate() : null;
}

export const parseLocalDate = (value: unknown): Floating | null => parseLocal(value, true);

export function formatLocal(f: Floating, allDay: boolean): string {
  const iso = f.toISOString();
  return allDay ? iso.slice(0, 10) : iso.slice(0, 16);
}

/** The local calendar date (`YYYY-MM-DD`) of a wall-clock time: how occurrences are named. */
export const localDate = (f: Floating): string => f.toISOString().slice(0, 10);

export const addDays = (f: Floating, days: number): Floating =>
  new Date(f.getTime() + days * DAY_MS);

/** The wall clock of an instant in its own zone, as a floating time. */
export function toFloating(dt: DateTime): Floating {
  return new Date(
    Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second, dt.millisecond),
  );
}

export const isIanaZone = (zone: unknown): boolean =>
  typeof zone === 'string' && IANAZone.isValidZone(zone);

/**
 * Places a wall-clock time in `zone`, the way RFC 5545 §3.3.5 says a DATE-TIME with a TZID is
 * read (and so the way Google, Apple and Outlook read our feed):
 * - a time that does not exist (skipped by a spring-forward change) is taken with the offset in
 *   force before the gap, i.e. moved forward by the gap: 02:30 on 2027-03-14 in America/Chicago
 *   is 03:30 CDT (-05:00);
 * - a time that exists twice (repeated by a fall-back change) is the first of the two, i.e. the
 *   daylight-time one: 01:30 on 2027-11-07 in America/Chicago is 01:30 CDT (-05:00).
 * Luxon already does the former, but gives an ambiguous time its later offset, so the earliest
 * of its possible offsets is taken. Offsets come from a zone that remembers them (zone-offsets.ts):
 * luxon's own IANA zone recomputes each one through Intl, and that dominated expansion time.
 */
export function resolveLocal(f: Floating, zone: string): DateTime {
  const wall = DateTime.fromObject(
    {
      year: f.getUTCFullYear(),
      month: f.getUTCMonth() + 1,
      day: f.getUTCDate(),
      hour: f.getUTCHours(),
      minute: f.getUTCMinutes(),
      second: f.getUTCSeconds(),
    },
    { zone: cachedZone(zone) },
  );
  const candidates = wall.getPossibleOffsets();
  if (candidates.length < 2) return wall;
  return candidates.reduce((earliest, dt) => (dt.toMillis() < earliest.toMillis() ? dt : earliest));
}

/** False for wall-clock times that a DST change skips in `zone`. */
export function existsInZone(f: Floating, zone: string): boolean {
  return toFloating(resolveLocal(f, zone)).getTime() === f.getTime();
}

/** ISO-8601 with the zone's offset, seconds precision: `2027-03-01T09:00:00-06:00`. */
export const isoWithOffset = (dt: DateTime): string =>
  dt.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';
