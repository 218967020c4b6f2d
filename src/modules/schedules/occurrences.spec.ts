import fc from 'fast-check';
import { DateTime } from 'luxon';
import { existsInZone, formatLocal, isoWithOffset, parseLocal, resolveLocal } from './local-time';
import { compareOccurrences, expandEvent, expandSchedule, type Window } from './occurrences';
import type { Schedule, ScheduleEvent } from '../pages/schemas/schedule.types';

const ZONES = Intl.supportedValuesOf('timeZone');

function event(overrides: Partial<ScheduleEvent> = {}): ScheduleEvent {
  return {
    id: 'e1',
    title: 'Open house',
    start: '2027-03-01T09:00',
    end: '2027-03-01T10:00',
    allDay: false,
    exceptions: [],
    cancellations: [],
    status: 'scheduled',
    sequence: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const window = (from: string, to: string, zone = 'America/Chicago'): Window => ({
  from: DateTime.fromISO(from, { zone }),
  to: DateTime.fromISO(to, { zone }),
});

describe('expandEvent (examples)', () => {
  it('keeps a weekly 09:00 at 09:00 local across both DST changes, offsets changing', () => {
    const { occurrences } = expandEvent(
      event({ recurrence: 'FREQ=WEEKLY' }),
      'America/Chicago',
      window('2027-03-01', '2027-11-16'),
      100,
    );
    const byDate = new Map(occurrences.map((o) => [o.date, isoWithOffset(o.start)]));
    expect(byDate.get('2027-03-08')).toBe('2027-03-08T09:00:00-06:00');
    expect(byDate.get('2027-03-15')).toBe('2027-03-15T09:00:00-05:00');
    expect(byDate.get('2027-11-01')).toBe('2027-11-01T09:00:00-05:00');
    expect(byDate.get('2027-11-08')).toBe('2027-11-08T09:00:00-06:00');
    expect(occurrences.every((o) => o.start.toFormat('HH:mm') === '09:00')).toBe(true);
    expect(occurrences.every((o) => o.end.diff(o.start).as('minutes') === 60)).toBe(true);
  });

  it('skips exceptions, marks cancellations and a cancelled event', () => {
    const e = event({
      recurrence: 'FREQ=WEEKLY;COUNT=4',
      exceptions: ['2027-03-08'],
      cancellations: ['2027-03-15'],
    });
    const w = window('2027-03-01', '2027-04-01');
    const { occurrences } = expandEvent(e, 'America/Chicago', w, 100);
    expect(occurrences.map((o) => [o.date, o.status])).toEqual([
      ['2027-03-01', 'scheduled'],
      ['2027-03-15', 'cancelled'],
      ['2027-03-22', 'scheduled'],
    ]);
    const whole = expandEvent({ ...e, status: 'cancelled' }, 'America/Chicago', w, 100);
    expect(whole.occurrences.every((o) => o.status === 'cancelled')).toBe(true);
  });

  it('moves an occurrence in the spring-forward gap forward, and takes the first of a repeated time', () => {
    const daily = (start: string, end: string) =>
      expandEvent(
        event({ start, end, recurrence: 'FREQ=DAILY' }),
        'America/Chicago',
        window('2027-03-13', '2027-11-08'),
        400,
      ).occurrences;
    const gap = daily('2027-03-13T02:30', '2027-03-13T03:00').find((o) => o.date === '2027-03-14');
    expect(isoWithOffset(gap!.start)).toBe('2027-03-14T03:30:00-05:00');
    expect(gap!.end.diff(gap!.start).as('minutes')).toBe(30);
    const repeated = daily('2027-03-13T01:30', '2027-03-13T01:45').find(
      (o) => o.date === '2027-11-07',
    );
    expect(isoWithOffset(repeated!.start)).toBe('2027-11-07T01:30:00-05:00');
  });

  it('includes an occurrence that started before the window but is still going on', () => {
    const e = event({ start: '2027-03-01T23:00', end: '2027-03-02T01:00' });
    const { occurrences } = expandEvent(
      e,
      'America/Chicago',
      window('2027-03-02', '2027-03-03'),
      9,
    );
    expect(occurrences).toHaveLength(1);
  });

  it('spans all-day occurrences over whole local days', () => {
    const e = event({
      allDay: true,
      start: '2027-03-13',
      end: '2027-03-14',
      recurrence: 'FREQ=WEEKLY;COUNT=2',
    });
    const { occurrences } = expandEvent(
      e,
      'America/Chicago',
      window('2027-03-01', '2027-04-01'),
      9,
    );
    expect(occurrences.map((o) => [isoWithOffset(o.start), isoWithOffset(o.end)])).toEqual([
      ['2027-03-13T00:00:00-06:00', '2027-03-15T00:00:00-05:00'],
      ['2027-03-20T00:00:00-05:00', '2027-03-22T00:00:00-05:00'],
    ]);
  });
});

// ---- properties ------------------------------------------------------------------------------

const localDateTime = fc
  .record({
    year: fc.integer({ min: 1995, max: 2060 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.constantFrom(0, 15, 30, 45),
  })
  .map(
    ({ year, month, day, hour, minute }) =>
      `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  );

const rule = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 1, max: 3 }).map((i) => `FREQ=DAILY;INTERVAL=${i}`),
  fc.integer({ min: 1, max: 2 }).map((i) => `FREQ=WEEKLY;INTERVAL=${i}`),
  fc.constant('FREQ=MONTHLY'),
  fc.integer({ min: 2, max: 40 }).map((n) => `FREQ=DAILY;COUNT=${n}`),
);

const scheduleArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    events: fc.array(
      fc.record({
        start: localDateTime,
        minutes: fc.integer({ min: 15, max: 3 * 24 * 60 }),
        recurrence: rule,
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ zone, events }): Schedule => ({
    timezone: zone,
    events: events.map((e, i) => {
      const start = parseLocal(e.start, false)!;
      return event({
        id: `e${i}`,
        start: e.start,
        end: formatLocal(new Date(start.getTime() + e.minutes * 60_000), false),
        recurrence: e.recurrence,
      });
    }),
  }))
  // Stored starts and ends always exist in their zone (the editor refuses the others).
  .filter((s) =>
    s.events.every(
      (e) =>
        existsInZone(parseLocal(e.start, false)!, s.timezone) &&
        existsInZone(parseLocal(e.end, false)!, s.timezone),
    ),
  );

const windowArb = (zone: string) =>
  fc
    .record({
      from: fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2062, 0, 1) }),
      days: fc.integer({ min: 1, max: 366 }),
    })
    .map(({ from, days }) => {
      const start = DateTime.fromMillis(from, { zone });
      return { from: start, to: start.plus({ days }) };
    });

const scheduleAndWindow = scheduleArb.chain((s) =>
  fc.record({ schedule: fc.constant(s), window: windowArb(s.timezone) }),
);

describe('expandSchedule (bounded work)', () => {
  const daily = (n: number): Schedule => ({
    timezone: 'America/Chicago',
    events: Array.from({ length: n }, (_, i) =>
      event({
        id: `e${String(i).padStart(3, '0')}`,
        start: `2027-03-01T${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
        end: `2027-03-01T${String(9 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
        recurrence: 'FREQ=DAILY',
      }),
    ),
  });
  const year = window('2027-03-01', '2028-03-01');

  it('fills the total cap of 100 daily events over a year while looking at a few thousand candidates', () => {
    const capped = expandSchedule(daily(100), year, {
      maxPerEvent: 400,
      maxTotal: 1000,
      budget: 5000,
    });
    expect(capped.occurrences).toHaveLength(1000);
    expect(capped.truncated).toBe(true);
  });

  it('cuts at the point where the budget ran out, still sorted and a prefix, and says so', () => {
    const limits = { maxPerEvent: 400, maxTotal: 100_000 };
    const full = expandSchedule(daily(20), year, limits);
    const cut = expandSchedule(daily(20), year, { ...limits, budget: 2000 });
    expect(cut.truncated).toBe(true);
    expect(cut.occurrences.length).toBeGreaterThan(0);
    expect(cut.occurrences.length).toBeLessThan(full.occurrences.length);
    const key = (o: { event: { id: string }; start: DateTime }) =>
      `${o.event.id}@${o.start.toISO()}`;
    expect(cut.occurrences.map(key)).toEqual(
      full.occurrences.slice(0, cut.occurrences.length).map(key),
    );
  });
});

describe('expandSchedule (budget at the edge of the window)', () => {
  // Found by the prefix property (seed 500359614): every 3 days from 2013, looked at in 2059.
  // The series yields 15 occurrences from 17 candidates (the margins around the window): a first
  // chunk of 16, then one more that lies past the window.
  const schedule: Schedule = {
    timezone: 'America/Porto_Velho',
    events: [
      event({
        id: 'e4',
        start: '2013-06-10T18:00',
        end: '2013-06-12T10:47',
        recurrence: 'FREQ=DAILY;INTERVAL=3',
      }),
    ],
  };
  const w = window('2059-09-13T22:00Z', '2059-10-26T22:00Z', 'America/Porto_Velho');
  const limits = { maxPerEvent: 10_000, maxTotal: 100_000 };

  it('is complete and not truncated when the budget pays for every candidate', () => {
    const full = expandSchedule(schedule, w, limits);
    expect(full).toMatchObject({ truncated: false });
    expect(full.occurrences).toHaveLength(15);
    expect(expandSchedule(schedule, w, { ...limits, budget: 17 })).toMatchObject({
      truncated: false,
      occurrences: full.occurrences,
    });
  });

  it('says truncated when the budget runs out before the last candidate, even if it lay outside', () => {
    const cut = expandSchedule(schedule, w, { ...limits, budget: 16 });
    expect(cut.occurrences).toHaveLength(15);
    expect(cut.truncated).toBe(true);
  });
});

describe('expandSchedule (properties)', () => {
  it('returns occurrences sorted, overlapping the window, within the caps, as a prefix of the full list', () => {
    fc.assert(
      fc.property(
        scheduleAndWindow,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 60 }),
        ({ schedule, window: w }, maxPerEvent, maxTotal) => {
          const capped = expandSchedule(schedule, w, { maxPerEvent, maxTotal });
          const full = expandSchedule(schedule, w, { maxPerEvent: 10_000, maxTotal: 100_000 });
          const list = capped.occurrences;
          for (let i = 1; i < list.length; i++)
            expect(compareOccurrences(list[i - 1], list[i])).toBeLessThanOrEqual(0);
          for (const o of list) {
            expect(o.end.toMillis()).toBeGreaterThan(w.from.toMillis());
            expect(o.start.toMillis()).toBeLessThan(w.to.toMillis());
          }
          expect(list.length).toBeLessThanOrEqual(maxTotal);
          const perEvent = new Map<string, number>();
          for (const o of list) perEvent.set(o.event.id, (perEvent.get(o.event.id) ?? 0) + 1);
          for (const n of perEvent.values()) expect(n).toBeLessThanOrEqual(maxPerEvent);
          const key = (o: (typeof list)[number]) => `${o.event.id}@${o.start.toISO()}`;
          expect(list.map(key)).toEqual(full.occurrences.slice(0, list.length).map(key));
          expect(capped.truncated).toBe(list.length < full.occurrences.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('is the same as expanding every event fully and sorting, cut by any budget to a prefix', () => {
    fc.assert(
      fc.property(
        scheduleAndWindow,
        fc.integer({ min: 1, max: 400 }),
        ({ schedule, window: w }, budget) => {
          const reference = schedule.events
            .flatMap((e) => expandEvent(e, schedule.timezone, w, 10_000, false).occurrences)
            .sort(compareOccurrences);
          const limits = { maxPerEvent: 10_000, maxTotal: 100_000 };
          const key = (o: (typeof reference)[number]) => `${o.event.id}@${o.start.toISO()}`;
          expect(expandSchedule(schedule, w, limits).occurrences.map(key)).toEqual(
            reference.map(key),
          );
          const cut = expandSchedule(schedule, w, { ...limits, budget });
          expect(cut.occurrences.map(key)).toEqual(
            reference.slice(0, cut.occurrences.length).map(key),
          );
          // Never cut silently. The converse does not hold: a budget that runs out just where the
          // series leaves the window cannot tell, so it says truncated (see the example above).
          if (cut.occurrences.length < reference.length) expect(cut.truncated).toBe(true);
          if (!cut.truncated) expect(cut.occurrences).toHaveLength(reference.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('keeps the wall-clock start of every occurrence for arbitrary zones and dates (DST-correct)', () => {
    fc.assert(
      fc.property(scheduleAndWindow, ({ schedule, window: w }) => {
        const { occurrences } = expandSchedule(schedule, w, {
          maxPerEvent: 10_000,
          maxTotal: 100_000,
        });
        for (const o of occurrences) {
          const nominal = parseLocal(`${o.date}T${o.event.start.slice(11)}`, false)!;
          const local = o.start.setZone(schedule.timezone);
          if (existsInZone(nominal, schedule.timezone)) {
            // Same local date and time as the event's start, whatever the offset that day.
            expect(local.toFormat("yyyy-LL-dd'T'HH:mm")).toBe(formatLocal(nominal, false));
            // A repeated local time resolves to its first instance.
            const earliest = Math.min(
              ...local.getPossibleOffsets().map((d) => d.toMillis()),
              local.toMillis(),
            );
            expect(o.start.toMillis()).toBe(earliest);
          } else {
            // A skipped local time is moved forward by the gap (a whole day where a zone skipped
            // one, e.g. Pacific/Fakaofo and Pacific/Apia on 2011-12-30: same time, next day).
            expect(o.start.toMillis()).toBe(resolveLocal(nominal, schedule.timezone).toMillis());
            expect(local.toFormat("yyyy-LL-dd'T'HH:mm") > formatLocal(nominal, false)).toBe(true);
          }
          // Elapsed duration equals the first occurrence's (RFC 5545 DTSTART/DTEND).
          const first =
            resolveLocal(parseLocal(o.event.end, false)!, schedule.timezone).toMillis() -
            resolveLocal(parseLocal(o.event.start, false)!, schedule.timezone).toMillis();
          expect(o.end.toMillis() - o.start.toMillis()).toBe(first);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('gives the same occurrences whether or not expansion is re-anchored near the window', () => {
    fc.assert(
      fc.property(scheduleAndWindow, ({ schedule, window: w }) => {
        const limits = { maxPerEvent: 10_000, maxTotal: 100_000 };
        const key = (o: { event: { id: string }; start: DateTime }) =>
          `${o.event.id}@${o.start.toISO()}`;
        expect(expandSchedule(schedule, w, limits).occurrences.map(key)).toEqual(
          expandSchedule(schedule, w, limits, false).occurrences.map(key),
        );
      }),
      { numRuns: 60 },
    );
  });
});
