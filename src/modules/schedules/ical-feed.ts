import ical, {
  type ICalEventData,
  ICalEventStatus,
  escape as icalEscape,
  formatDate as icalFormatDate,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { type Floating, resolveLocal } from './local-time';
import { type EventTiming, timingOf } from './occurrences';
import type { Schedule, ScheduleEvent } from '../pages/schemas/schedule.types';

export interface FeedSource {
  slug: string;
  title: string;
  schedule: Schedule;
}

/** How often subscribed calendars are asked to refresh (REFRESH-INTERVAL / X-PUBLISHED-TTL). */
export const FEED_REFRESH_SECONDS = 3600;
export const FEED_PRODUCT = {
  company: 'Sponsored Agents',
  product: 'Community Pages',
  language: 'EN',
};

const UTC = 'UTC';

/**
 * The zone as the feed names it: its current IANA name (a link such as `Asia/Calcutta` is written
 * `Asia/Kolkata`), the one timezones-ical-library has a VTIMEZONE for, so TZID and VTIMEZONE
 * agree. UTC and its links stay `UTC`, which ical-generator writes as `Z` times.
 */
export function feedZone(zone: string): string {
  const block = tzlib_get_ical_block(zone);
  const current = Array.isArray(block) ? block[1]?.replace(/^TZID=/, '') : undefined;
  if (!current) return zone;
  return current === 'Etc/UTC' ? UTC : current;
}

/** The VTIMEZONE component of a zone, for ical-generator (its TZID is `feedZone(zone)`). */
function vtimezone(zone: string): string | null {
  const block = tzlib_get_ical_block(zone);
  return Array.isArray(block) && block[0] ? `${block[0]}\r\n` : null;
}

/**
 * The RRULE and EXDATE lines of a recurring event. The rule is stored with UNTIL as local wall
 * time (like DTSTART); RFC 5545 wants UNTIL in UTC next to a zoned DTSTART and as a DATE next to
 * an all-day one, so it is rewritten here. Values are formatted by ical-generator's own
 * formatDate; EXDATE lists the skipped occurrences' start times in the event's TZID.
 */
function recurrenceLines(
  event: ScheduleEvent,
  timing: EventTiming,
  zone: string,
  skipped: string[],
): string {
  const rule = timing.rule;
  if (!rule) return '';
  let line = `RRULE:${rule.text.replace(/;UNTIL=[0-9T]+$/, '')}`;
  if (rule.until) {
    const until = resolveLocal(rule.until, zone);
    line += `;UNTIL=${
      event.allDay ? icalFormatDate(zone, until, true) : icalFormatDate(null, until.toUTC())
    }`;
  }
  const starts = skipped.map((date) => occurrenceStart(event, timing, date, zone));
  if (starts.length === 0) return line;
  const exdate = event.allDay
    ? `EXDATE;VALUE=DATE:${starts.map((s) => icalFormatDate(zone, s, true)).join(',')}`
    : zone === UTC
      ? `EXDATE:${starts.map((s) => icalFormatDate(null, s.toUTC())).join(',')}`
      : `EXDATE;TZID=${zone}:${starts.map((s) => icalFormatDate(zone, s, false, true)).join(',')}`;
  return `${line}\n${exdate}`;
}

/** The start of the occurrence on local date `date` (the event's start time on that date). */
function occurrenceStart(
  event: ScheduleEvent,
  timing: EventTiming,
  date: string,
  zone: string,
): DateTime {
  const time = event.allDay ? '00:00' : timing.start.toISOString().slice(11, 16);
  const wall: Floating = new Date(`${date}T${time}:00.000Z`);
  return resolveLocal(wall, zone);
}

function locationOf(event: ScheduleEvent): ICalEventData['location'] {
  const l = event.location;
  if (!l) return undefined;
  const title = l.name ?? l.address ?? (l.online ? 'Online' : undefined);
  if (!title) return undefined;
  return { title, address: l.name ? l.address : undefined };
}

function baseData(event: ScheduleEvent, zone: string): Omit<ICalEventData, 'start'> {
  return {
    id: event.id,
    sequence: event.sequence,
    // Without METHOD, DTSTAMP is when the event was last revised in our store: with SEQUENCE it
    // is what tells a subscribed calendar that an event changed (and keeps the feed bytes, so
    // its ETag, stable between changes).
    stamp: DateTime.fromISO(event.updatedAt, { zone: UTC }),
    created: DateTime.fromISO(event.createdAt, { zone: UTC }),
    lastModified: DateTime.fromISO(event.updatedAt, { zone: UTC }),
    allDay: event.allDay,
    timezone: event.allDay ? null : zone,
    summary: event.title,
    description: event.description,
    location: locationOf(event),
    url: event.registrationUrl ?? event.location?.url,
    status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  };
}

/**
 * The page's schedule as an RFC 5545 calendar (ical-generator writes, escapes and folds it;
 * timezones-ical-library supplies the VTIMEZONE for the TZID used, the zone's current IANA name):
 * - one VEVENT per event, UID = event id, SEQUENCE bumped on every change;
 * - recurring events carry RRULE, and EXDATE for their exceptions;
 * - a cancelled occurrence of a timed series is an override with the same UID, RECURRENCE-ID and
 *   STATUS:CANCELLED, so clients show it as cancelled. ical-generator cannot write the DATE-valued
 *   RECURRENCE-ID an all-day series would need, so all-day cancellations go out as EXDATE (the
 *   occurrence disappears from subscribed calendars; the JSON endpoint still shows it cancelled).
 */
export function buildIcalFeed(source: FeedSource): string {
  const zone = feedZone(source.schedule.timezone);
  const calendar = ical({
    prodId: FEED_PRODUCT,
    // ical-generator writes NAME/X-WR-CALNAME verbatim, so the TEXT value is escaped here.
    name: icalEscape(source.title, false),
    ttl: FEED_REFRESH_SECONDS,
    // No calendar-wide zone name (it would make DTSTAMP floating); the generator is what makes
    // ical-generator emit a VTIMEZONE for each event's TZID.
    timezone: { name: '', generator: vtimezone },
  });

  for (const event of source.schedule.events) {
    const timing = timingOf(event, zone);
    if (!timing) continue;
    const start = resolveLocal(timing.start, zone);
    const end = resolveLocal(timing.end, zone);
    const cancelledAsOverride = event.allDay ? [] : event.cancellations;
    const skipped = event.allDay
      ? [...event.exceptions, ...event.cancellations].sort()
      : event.exceptions;

    calendar.createEvent({
      ...baseData(event, zone),
      start,
      end,
      repeating: timing.rule ? recurrenceLines(event, timing, zone, skipped) : null,
    });

    const durationMs = end.toMillis() - start.toMillis();
    for (const date of cancelledAsOverride) {
      const occurrence = occurrenceStart(event, timing, date, zone);
      calendar.createEvent({
        ...baseData(event, zone),
        start: occurrence,
        end: occurrence.plus({ milliseconds: durationMs }),
        recurrenceId: occurrence,
        status: ICalEventStatus.CANCELLED,
      });
    }
  }
  return calendar.toString();
}
