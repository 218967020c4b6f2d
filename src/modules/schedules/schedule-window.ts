import { DateTime } from 'luxon';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { MAX_YEAR, MIN_YEAR } from './local-time';
import type { Window } from './occurrences';

export const MAX_WINDOW_DAYS = 366;
const HOUR_MS = 3_600_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;

const invalid = (message: string) => new DomainError(ErrorCode.ValidationFailed, message);

/** A date is a whole local day: `from` takes its start, `to` its end (the next day's start). */
function parseBound(name: 'from' | 'to', value: string, zone: string): DateTime {
  let dt: DateTime;
  if (DATE_ONLY.test(value)) {
    dt = DateTime.fromISO(value, { zone }).startOf('day');
    if (name === 'to') dt = dt.plus({ days: 1 });
  } else {
    dt = HAS_OFFSET.test(value)
      ? DateTime.fromISO(value, { setZone: true }).setZone(zone)
      : fromWallClock(value, zone);
  }
  if (!dt.isValid) throw invalid(`${name} is not a valid date or date-time: "${value}"`);
  if (dt.year < MIN_YEAR || dt.year > MAX_YEAR + 1)
    throw invalid(`${name} must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  return dt;
}

/**
 * A local date-time in `zone`. One the clocks skipped (a spring-forward gap) reads as the instant
 * they jumped at, not an hour on as luxon reads it, so that a later reading of the wall clock is
 * never an earlier instant: rounding a bound up to the hour (`canonicalBound`) then never narrows
 * the window. Repeated readings (fall-back) keep luxon's choice, the later one.
 */
function fromWallClock(value: string, zone: string): DateTime {
  const dt = DateTime.fromISO(value, { zone });
  if (!dt.isValid) return dt;
  const asked = DateTime.fromISO(value, { zone: 'utc' }).toMillis();
  const skipped = dt.toMillis() + dt.offset * 60_000 - asked; // > 0 only inside a gap
  if (skipped <= 0) return dt;
  // The jump is the first instant of the skipped span that is already at the later offset.
  let [lo, hi] = [dt.toMillis() - skipped, dt.toMillis()];
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (dt.zone.offset(mid) === dt.offset) hi = mid;
    else lo = mid + 1;
  }
  return DateTime.fromMillis(lo, { zone });
}

/**
 * The occurrences window of a request, in the schedule's zone. Without `from` it starts at the
 * current hour (not the current millisecond, so repeated requests share an ETag for an hour);
 * without `to` it runs `defaultDays` from `from`.
 */
export function resolveWindow(
  query: { from?: string; to?: string },
  zone: string,
  now: Date,
  defaultDays: number,
): Window {
  const from = query.from
    ? parseBound('from', query.from, zone)
    : DateTime.fromMillis(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS, { zone });
  const to = query.to ? parseBound('to', query.to, zone) : from.plus({ days: defaultDays });
  if (to <= from) throw invalid('from must be before to');
  if (to > from.plus({ days: MAX_WINDOW_DAYS }))
    throw invalid(`to must be at most ${MAX_WINDOW_DAYS} days after from`);
  return { from, to };
}

export interface WindowQuery {
  from?: string;
  to?: string;
}

const LOCAL_HOUR = "yyyy-LL-dd'T'HH':00'";
const UTC_HOUR = "yyyy-LL-dd'T'HH':00Z'";

/**
 * The one spelling of a window bound that the API caches: a date stays a date; a date-time is
 * moved to a whole hour (`from` down, `to` up, so the canonical window holds the requested one)
 * and written without seconds, a local one as local, one with an offset in UTC (`Z`). A value
 * that does not parse is left alone for `resolveWindow` to refuse.
 */
export function canonicalBound(name: 'from' | 'to', value: string): string {
  if (DATE_ONLY.test(value)) return value;
  const withOffset = HAS_OFFSET.test(value);
  // A local value is a wall-clock reading: round it as one (in UTC, which has no DST gaps).
  let dt = withOffset
    ? DateTime.fromISO(value, { setZone: true }).toUTC()
    : DateTime.fromISO(value, { zone: 'utc' });
  if (!dt.isValid) return value;
  const floor = dt.startOf('hour');
  dt = name === 'to' && floor < dt ? floor.plus({ hours: 1 }) : floor;
  return dt.toFormat(withOffset ? UTC_HOUR : LOCAL_HOUR);
}

/**
 * The canonical query string of a window request (`from` before `to`, each canonical, nothing
 * percent-encoded that need not be), `''` for none. CloudFront keys its cache on the query string
 * as sent, so every other spelling of the same window is redirected here.
 */
export function canonicalWindowQuery(query: WindowQuery): string {
  const parts: string[] = [];
  if (query.from !== undefined) parts.push(`from=${canonicalBound('from', query.from)}`);
  if (query.to !== undefined) parts.push(`to=${canonicalBound('to', query.to)}`);
  return parts.join('&');
}
