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
