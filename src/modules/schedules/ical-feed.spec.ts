import fc from 'fast-check';
import { DateTime } from 'luxon';
import * as ical from 'node-ical';
import { TIME_ZONES } from '../../core/time/time-zones';
import { buildIcalFeed } from './ical-feed';
import { existsInZone, formatLocal, parseLocal } from './local-time';
import { expandSchedule, type Window } from './occurrences';
import type { Schedule, ScheduleEvent } from '../pages/schemas/schedule.types';

function event(overrides: Partial<ScheduleEvent> = {}): ScheduleEvent {
  return {
    id: '3f1c9a52-5d0e-4a57-bf3b-1e2f1f4f9c11',
    title: 'Open house',
    start: '2027-03-01T09:00',
    end: '2027-03-01T10:30',
    allDay: false,
    exceptions: [],
    cancellations: [],
    status: 'scheduled',
    sequence: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-02-01T12:00:00.000Z',
    ...overrides,
  };
}

type Parsed = ical.VEvent & { uid: string; status?: string };

/** Occurrences as an independent parser (node-ical, rrule-temporal) reads them from the feed. */
function parsedOccurrences(ics: string, w: Window) {
  const out: { uid: string; start: number; end: number; status: string }[] = [];
  for (const component of Object.values(ical.sync.parseICS(ics))) {
    if (!component || component.type !== 'VEVENT') continue;
    const vevent = component;
    for (const instance of ical.expandRecurringEvent(vevent, {
      from: w.from.toJSDate(),
      to: w.to.toJSDate(),
      expandOngoing: true,
    })) {
      const start = new Date(instance.start).getTime();
      if (start >= w.to.toMillis()) continue; // node-ical's `to` is inclusive
      out.push({
        uid: vevent.uid,
        start,
        end: new Date(instance.end).getTime(),
        status: instance.event.status === 'CANCELLED' ? 'cancelled' : 'scheduled',
      });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.uid.localeCompare(b.uid));
}

function ourOccurrences(schedule: Schedule, w: Window) {
  return expandSchedule(schedule, w, { maxPerEvent: 10_000, maxTotal: 10_000 })
    .occurrences.map((o) => ({
      uid: o.event.id,
      start: o.start.toMillis(),
      end: o.end.toMillis(),
      status: o.status,
    }))
    .sort((a, b) => a.start - b.start || a.uid.localeCompare(b.uid));
}

describe('buildIcalFeed', () => {
  const schedule: Schedule = {
    timezone: 'America/Chicago',
    events: [
      event({
        title: 'Open house; tea, and "cake"\nbring friends — ünïcödé, and a long line to fold',
        location: { name: 'Office', address: '1 Main St, Austin' },
        registrationUrl: 'https://example.com/register?a=1&b=2',
        recurrence: 'FREQ=WEEKLY;UNTIL=20271201T090000',
        exceptions: ['2027-03-22'],
        cancellations: ['2027-03-29'],
        sequence: 4,
      }),
    ],
  };
  const ics = buildIcalFeed({ slug: 'jane', title: 'Jane; Doe, Realtor', schedule });

  it('writes a calendar with the zone, a stable UID, SEQUENCE/DTSTAMP, RRULE, EXDATE and an override', () => {
    const lines = ics.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('X-WR-CALNAME:Jane\\; Doe\\, Realtor');
    expect(lines).toContain('TZID:America/Chicago');
    expect(lines.filter((l) => l === 'UID:3f1c9a52-5d0e-4a57-bf3b-1e2f1f4f9c11')).toHaveLength(2);
    expect(lines).toContain('SEQUENCE:4');
    expect(lines).toContain('DTSTAMP:20260201T120000Z');
    expect(lines).toContain('DTSTART;TZID=America/Chicago:20270301T090000');
    expect(lines).toContain('RRULE:FREQ=WEEKLY;UNTIL=20271201T150000Z');
    expect(lines).toContain('EXDATE;TZID=America/Chicago:20270322T090000');
    expect(lines).toContain('RECURRENCE-ID;TZID=America/Chicago:20270329T090000');
    expect(lines).toContain('STATUS:CANCELLED');
    // RFC 5545 folding: no line over 75 octets, continuation lines start with a space.
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
  });

  it("names a zone given by its old spelling by its current IANA name, and that zone's VTIMEZONE", () => {
    const old: Schedule = { ...schedule, timezone: 'Asia/Calcutta' };
    const lines = buildIcalFeed({ slug: 'x', title: 'X', schedule: old }).split('\r\n');
    expect(lines).toContain('TZID:Asia/Kolkata');
    expect(lines).toContain('DTSTART;TZID=Asia/Kolkata:20270301T090000');
    expect(lines).toContain('EXDATE;TZID=Asia/Kolkata:20270322T090000');
    expect(lines.join('\n')).not.toContain('Calcutta');
  });

  it('carries a VTIMEZONE for exactly the TZID its events use, for every zone a schedule may have', () => {
    const wrong: string[] = [];
    for (const zone of TIME_ZONES) {
      const text = buildIcalFeed({
        slug: 'x',
        title: 'X',
        schedule: { ...schedule, timezone: zone },
      });
      const defined = [...text.matchAll(/^TZID:(.+)$/gm)].map((m) => m[1]);
      const used = new Set([...text.matchAll(/;TZID=([^:;]+)[:;]/g)].map((m) => m[1]));
      const utc = defined.length === 0 && used.size === 0 && /^DTSTART:\d{8}T\d{6}Z$/m.test(text);
      const zoned = defined.length === 1 && used.size === 1 && used.has(defined[0]);
      if (!utc && !zoned) wrong.push(`${zone}: defines ${defined.join()} uses ${[...used].join()}`);
    }
    expect(wrong).toEqual([]);
  });

  it('escapes text so that a parser reads back exactly what was written', () => {
    const parsed = Object.values(ical.sync.parseICS(ics)).find(
      (c) => c?.type === 'VEVENT',
    ) as Parsed;
    expect(parsed.summary).toBe(schedule.events[0].title);
    expect(parsed.location).toBe('Office\n1 Main St, Austin');
    expect((parsed.url as unknown as { val: string }).val).toBe(
      'https://example.com/register?a=1&b=2',
    );
  });

  it('is byte-stable for the same schedule (so its ETag is)', () => {
    expect(buildIcalFeed({ slug: 'jane', title: 'Jane; Doe, Realtor', schedule })).toBe(ics);
  });

  it('comes out of an independent parser with the same occurrences as the occurrences expansion', () => {
    const w: Window = {
      from: DateTime.fromISO('2027-02-20', { zone: 'America/Chicago' }),
      to: DateTime.fromISO('2027-12-31', { zone: 'America/Chicago' }),
    };
    const ours = ourOccurrences(schedule, w);
    expect(ours.length).toBeGreaterThan(30);
    expect(parsedOccurrences(ics, w)).toEqual(ours);
  });

  it('writes all-day series with DATE values; their cancellations become EXDATE', () => {
    const allDay: Schedule = {
      timezone: 'Europe/Berlin',
      events: [
        event({
          allDay: true,
          start: '2027-03-05',
          end: '2027-03-06',
          recurrence: 'FREQ=MONTHLY;BYDAY=1FR;UNTIL=20271231',
          exceptions: ['2027-04-02'],
          cancellations: ['2027-05-07'],
        }),
      ],
    };
    const lines = buildIcalFeed({ slug: 'x', title: 'X', schedule: allDay }).split('\r\n');
    expect(lines).toContain('DTSTART;VALUE=DATE:20270305');
    expect(lines).toContain('DTEND;VALUE=DATE:20270307');
    expect(lines).toContain('RRULE:FREQ=MONTHLY;BYDAY=+1FR;UNTIL=20271231');
    expect(lines).toContain('EXDATE;VALUE=DATE:20270402,20270507');
    expect(lines.some((l) => l.startsWith('BEGIN:VTIMEZONE'))).toBe(false);
  });

  it('agrees with the independent parser for arbitrary zones, rules, exceptions and cancellations', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    const arb = fc
      .record({
        zone: fc.constantFrom(...zones),
        // node-ical (through temporal-polyfill) applies no DST after 2035, and reads a repeated
        // local time as its later instance where RFC 5545 says the first: the generated times
        // stay clear of both, which the examples above and occurrences.spec cover instead.
        year: fc.integer({ min: 2024, max: 2034 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 8, max: 20 }),
        minutes: fc.integer({ min: 30, max: 180 }),
        rule: fc.constantFrom(
          'FREQ=DAILY;INTERVAL=3',
          'FREQ=WEEKLY',
          'FREQ=WEEKLY;COUNT=20',
          'FREQ=MONTHLY',
        ),
        skip: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
        cancel: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
      })
      .map((r) => {
        const startText = `${r.year}-${String(r.month).padStart(2, '0')}-${String(r.day).padStart(2, '0')}T${String(r.hour).padStart(2, '0')}:00`;
        const start = parseLocal(startText, false)!;
        const end = new Date(start.getTime() + r.minutes * 60_000);
        // The n-th occurrence's date, from the same expansion (dates only; no times involved).
        const probe = expandSchedule(
          {
            timezone: r.zone,
            events: [event({ start: startText, end: formatLocal(end, false), recurrence: r.rule })],
          },
          { from: DateTime.fromJSDate(start), to: DateTime.fromJSDate(start).plus({ days: 366 }) },
          { maxPerEvent: 20, maxTotal: 20 },
        ).occurrences.map((o) => o.date);
        const pick = (ns: number[]) => [...new Set(ns.map((n) => probe[n]).filter(Boolean))];
        const exceptions = pick(r.skip);
        return {
          zone: r.zone,
          start,
          event: event({
            start: startText,
            end: formatLocal(end, false),
            recurrence: r.rule,
            exceptions,
            cancellations: pick(r.cancel).filter((d) => !exceptions.includes(d)),
          }),
        };
      })
      .filter(
        ({ zone, event: e }) =>
          existsInZone(parseLocal(e.start, false)!, zone) &&
          existsInZone(parseLocal(e.end, false)!, zone),
      );
    fc.assert(
      fc.property(arb, ({ zone, start, event: e }) => {
        const s: Schedule = { timezone: zone, events: [e] };
        const from = DateTime.fromJSDate(start, { zone: 'utc' }).minus({ days: 3 });
        const w: Window = { from, to: from.plus({ days: 200 }) };
        expect(parsedOccurrences(buildIcalFeed({ slug: 's', title: 'T', schedule: s }), w)).toEqual(
          ourOccurrences(s, w),
        );
      }),
      { numRuns: 60 },
    );
  });
});
