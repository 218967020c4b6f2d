import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import {
  addEvent,
  cancelOccurrence,
  type EventInput,
  patchEvent,
  restoreOccurrence,
  setTimezone,
} from './schedule-editor';
import { resolveWindow } from './schedule-window';
import type { Schedule } from '../pages/schemas/schedule.types';

const NOW = new Date('2026-06-01T12:00:00Z');
const empty: Schedule = { timezone: 'America/Chicago', events: [] };
const weekly: EventInput = {
  title: 'Open house',
  start: '2027-03-01T09:00',
  end: '2027-03-01T10:00',
  recurrence: 'FREQ=WEEKLY;BYDAY=MO',
};

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('was accepted');
}

const withWeekly = () => addEvent(empty, weekly, 'e1', NOW, 10).schedule;

describe('addEvent', () => {
  it('stores the event with a canonical rule, sequence 0 and timestamps', () => {
    const { event } = addEvent(
      empty,
      { ...weekly, recurrence: 'rrule:freq=weekly' },
      'e1',
      NOW,
      10,
    );
    expect(event).toMatchObject({
      id: 'e1',
      recurrence: 'FREQ=WEEKLY',
      allDay: false,
      status: 'scheduled',
      exceptions: [],
      cancellations: [],
      sequence: 0,
      createdAt: NOW.toISOString(),
    });
  });

  it.each<[string, Partial<EventInput>, RegExp]>([
    ['end before start', { end: '2027-03-01T08:00' }, /^end must be after start/],
    ['end equal to start', { end: '2027-03-01T09:00' }, /^end must be after start/],
    ['missing end', { end: undefined }, /^end is required/],
    ['impossible date', { start: '2027-02-30T09:00' }, /^start must be/],
    ['date-only start for a timed event', { start: '2027-03-01' }, /^start must be/],
    [
      'a start skipped by DST',
      { start: '2027-03-14T02:30', end: '2027-03-14T04:00', recurrence: undefined },
      /^start 2027-03-14T02:30 does not exist in America\/Chicago.*use 2027-03-14T03:30/,
    ],
    ['a bad rule', { recurrence: 'FREQ=SOMETIMES' }, /^recurrence is invalid: FREQ must be/],
    [
      'a rule not matching start',
      { recurrence: 'FREQ=WEEKLY;BYDAY=TU' },
      /^recurrence does not include start/,
    ],
    [
      'UNTIL before start',
      { recurrence: 'FREQ=WEEKLY;UNTIL=20270201' },
      /^recurrence UNTIL is before start/,
    ],
    [
      'exceptions without recurrence',
      { recurrence: undefined, exceptions: ['2027-03-01'] },
      /^exceptions are only allowed/,
    ],
    [
      'an exception that is no occurrence',
      { exceptions: ['2027-03-02'] },
      /^exceptions: the event does not occur on 2027-03-02/,
    ],
  ])('refuses %s naming the field', (_name, change, message) => {
    const error = refusal(() => addEvent(empty, { ...weekly, ...change }, 'e1', NOW, 10));
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.message).toMatch(message);
  });

  it('refuses more than the maximum number of events', () => {
    const one = withWeekly();
    expect(refusal(() => addEvent(one, weekly, 'e2', NOW, 1)).message).toMatch(
      /^events: a page has at most 1/,
    );
  });

  it('takes all-day events with an inclusive last day (default: the start day)', () => {
    const { event } = addEvent(
      empty,
      { title: 'Fair', start: '2027-03-05', allDay: true },
      'e1',
      NOW,
      10,
    );
    expect(event).toMatchObject({ start: '2027-03-05', end: '2027-03-05', allDay: true });
  });
});

describe('patchEvent', () => {
  it('changes fields, removes optional ones with null, bumps the sequence', () => {
    const s = addEvent(empty, { ...weekly, description: 'x' }, 'e1', NOW, 10).schedule;
    const later = new Date('2026-06-02T00:00:00Z');
    const { event, changed } = patchEvent(s, 'e1', { title: 'New', description: null }, later);
    expect(changed).toBe(true);
    expect(event).toMatchObject({ title: 'New', sequence: 1, updatedAt: later.toISOString() });
    expect(event?.description).toBeUndefined();
  });

  it('refuses null for required fields and unknown events', () => {
    expect(refusal(() => patchEvent(withWeekly(), 'e1', { title: null }, NOW)).message).toBe(
      'title must not be null',
    );
    expect(refusal(() => patchEvent(withWeekly(), 'nope', { title: 'x' }, NOW)).code).toBe(
      ErrorCode.EventNotFound,
    );
  });

  it('drops cancellations the new series no longer has', () => {
    const s = cancelOccurrence(withWeekly(), 'e1', '2027-03-08', NOW).schedule;
    const { event } = patchEvent(
      s,
      'e1',
      { start: '2027-03-02T09:00', end: '2027-03-02T10:00', recurrence: 'FREQ=WEEKLY' },
      NOW,
    );
    expect(event?.cancellations).toEqual([]);
  });

  it('is a no-op when nothing changes', () => {
    expect(patchEvent(withWeekly(), 'e1', { title: 'Open house' }, NOW).changed).toBe(false);
  });
});

describe('cancellations', () => {
  it('cancels one occurrence by local date, idempotently, and restores it', () => {
    const first = cancelOccurrence(withWeekly(), 'e1', '2027-03-29', NOW);
    expect(first.event?.cancellations).toEqual(['2027-03-29']);
    expect(first.event?.sequence).toBe(1);
    expect(cancelOccurrence(first.schedule, 'e1', '2027-03-29', NOW).changed).toBe(false);
    const restored = restoreOccurrence(first.schedule, 'e1', '2027-03-29', NOW);
    expect(restored.event?.cancellations).toEqual([]);
  });

  it('refuses dates without an occurrence, and single events', () => {
    expect(refusal(() => cancelOccurrence(withWeekly(), 'e1', '2027-03-30', NOW)).message).toMatch(
      /^date: the event has no occurrence on 2027-03-30/,
    );
    const single = addEvent(empty, { ...weekly, recurrence: undefined }, 'e1', NOW, 10).schedule;
    expect(refusal(() => cancelOccurrence(single, 'e1', '2027-03-01', NOW)).code).toBe(
      ErrorCode.InvalidState,
    );
  });
});

describe('setTimezone', () => {
  it('refuses non-IANA names and zones where an event start would not exist', () => {
    expect(refusal(() => setTimezone(empty, 'Mars/Olympus', NOW)).message).toMatch(
      /^timezone must be an IANA/,
    );
    const s = addEvent(
      { timezone: 'UTC', events: [] },
      { title: 'x', start: '2027-03-14T02:30', end: '2027-03-14T03:30' },
      'e1',
      NOW,
      10,
    ).schedule;
    expect(refusal(() => setTimezone(s, 'America/Chicago', NOW)).message).toMatch(
      /^timezone America\/Chicago does not fit event "x": start/,
    );
  });

  it('keeps wall-clock times and bumps every sequence', () => {
    const { schedule } = setTimezone(withWeekly(), 'Europe/Berlin', NOW);
    expect(schedule.timezone).toBe('Europe/Berlin');
    expect(schedule.events[0]).toMatchObject({ start: '2027-03-01T09:00', sequence: 1 });
  });
});

describe('resolveWindow', () => {
  const zone = 'America/Chicago';
  it('defaults to the current hour and +N days', () => {
    const w = resolveWindow({}, zone, new Date('2027-03-01T15:42:10Z'), 90);
    expect(w.from.toISO()).toBe('2027-03-01T09:00:00.000-06:00');
    expect(w.to.diff(w.from, 'days').days).toBe(90);
  });

  it('reads dates as whole local days and offsets as given', () => {
    const w = resolveWindow({ from: '2027-03-01', to: '2027-03-31' }, zone, NOW, 90);
    expect(w.from.toISO()).toBe('2027-03-01T00:00:00.000-06:00');
    expect(w.to.toISO()).toBe('2027-04-01T00:00:00.000-05:00');
    const z = resolveWindow(
      { from: '2027-03-01T12:00:00Z', to: '2027-03-02T09:00' },
      zone,
      NOW,
      90,
    );
    expect(z.from.toISO()).toBe('2027-03-01T06:00:00.000-06:00');
    expect(z.to.toISO()).toBe('2027-03-02T09:00:00.000-06:00');
  });

  it.each([
    [{ from: '2027-03-02', to: '2027-03-01' }, /^from must be before to/],
    [{ from: '2027-01-01', to: '2028-01-03' }, /^to must be at most 366 days/],
    [{ from: '2027-02-30' }, /^from is not a valid/],
    [{ from: '1900-01-01' }, /^from must be between/],
  ])('refuses %j', (query, message) => {
    expect(refusal(() => resolveWindow(query, zone, NOW, 90)).message).toMatch(message);
  });
});
