import { DateTime } from 'luxon';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';

/** An instant with its offset: `2027-03-28T00:00:00+01:00`, `...Z`; seconds and ms optional. */
export const INSTANT_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A wall-clock time without an offset: only meaningful together with an IANA zone. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** The longest a scheduled action (or a sponsorship term) may reach into the future. */
export const MAX_SCHEDULE_AHEAD_MS = 2 * 366 * 24 * 3600_000;

/**
 * Parses `value` into an instant. Stored and compared as instants only: a wall-clock time is
 * accepted only with the zone it is read in (`timeZone`), and a local time that does not exist
 * there (the hour skipped when DST starts) or exists twice (the hour repeated when it ends) is
 * refused rather than guessed.
 */
export function parseInstant(field: string, value: string, timeZone?: string): Date {
  if (INSTANT_WITH_OFFSET.test(value)) {
    const parsed = DateTime.fromISO(value, { setZone: true });
    if (!parsed.isValid) throw bad(field, `${value} is not a valid date-time`);
    return parsed.toJSDate();
  }
  if (!LOCAL_DATE_TIME.test(value))
    throw bad(field, `${value} must be ISO-8601 with an offset (e.g. 2027-01-31T18:00:00+01:00)`);
  if (!timeZone)
    throw bad(field, `${value} has no offset: give one, or give the IANA zone it is local to`);
  const local = DateTime.fromISO(value, { zone: timeZone });
  if (!local.isValid) throw bad(field, `${value} is not a valid date-time in ${timeZone}`);
  // luxon moves a time inside a DST gap forward; it then reads back differently.
  if (local.toFormat("yyyy-MM-dd'T'HH:mm") !== value.slice(0, 16))
    throw bad(field, `${value} does not exist in ${timeZone} (the clocks skip it)`);
  const offsets = DateTime.fromObject(local.toObject(), { zone: timeZone }).getPossibleOffsets();
  if (offsets.length > 1)
    throw bad(
      field,
      `${value} happens twice in ${timeZone} (the clocks fall back); give it with an offset`,
    );
  return local.toJSDate();
}

/** Refuses an instant in the past or beyond the scheduling horizon. */
export function checkScheduleWindow(field: string, at: Date, now: Date): void {
  if (at.getTime() <= now.getTime()) throw bad(field, `${at.toISOString()} is in the past`);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS)
    throw bad(field, `${at.toISOString()} is more than 2 years ahead`);
}

function bad(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${field}: ${message}`);
}
