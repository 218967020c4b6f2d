/** The schedule embedded in a page (draft and live). Times are local wall-clock in `timezone`. */
export interface EventLocation {
  name?: string;
  address?: string;
  url?: string;
  online?: boolean;
}

export const EVENT_STATUSES = ['scheduled', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface ScheduleEvent {
  id: string;
  title: string;
  description?: string;
  location?: EventLocation;
  /** Local wall-clock start, `YYYY-MM-DDTHH:mm` (or `YYYY-MM-DD` when allDay). */
  start: string;
  end: string;
  allDay: boolean;
  /** RFC 5545 RRULE value, without the `RRULE:` prefix. */
  recurrence?: string;
  /** Local dates (`YYYY-MM-DD`) of occurrences that do not happen at all. */
  exceptions: string[];
  /** Local dates of occurrences that are shown as cancelled. */
  cancellations: string[];
  status: EventStatus;
  registrationUrl?: string;
  /** iCalendar SEQUENCE: bumped on every change of the event. */
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

export interface Schedule {
  timezone: string;
  events: ScheduleEvent[];
}

export const emptySchedule = (timezone = 'UTC'): Schedule => ({ timezone, events: [] });
