import fc from 'fast-check';
import { parseLocal } from './local-time';
import {
  eachOccurrence,
  occursOn,
  parseRecurrence,
  RecurrenceError,
  startsOnRule,
} from './recurrence';

const timed = { allDay: false, zone: 'America/Chicago' };
const allDay = { allDay: true, zone: 'America/Chicago' };
const wall = (s: string) => parseLocal(s, false)!;
const day = (s: string) => parseLocal(s, true)!;

const refusal = (text: string, ctx = timed): string => {
  try {
    parseRecurrence(text, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(RecurrenceError);
    return (error as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
};

describe('parseRecurrence', () => {
  it('accepts RRULE values in any case, with or without the prefix, in canonical form', () => {
    expect(parseRecurrence('rrule:freq=weekly;byday=mo,we', timed).text).toBe(
      'FREQ=WEEKLY;BYDAY=MO,WE',
    );
    expect(parseRecurrence('FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2', timed).text).toBe(
      'FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR',
    );
    expect(parseRecurrence('FREQ=DAILY;COUNT=10', timed).text).toBe('FREQ=DAILY;COUNT=10');
    expect(parseRecurrence('FREQ=YEARLY', timed).options.freq).toBeDefined();
  });

  it('keeps UNTIL as local wall-clock time: UTC values are converted into the zone', () => {
    // 15:00Z on 1 December is 09:00 in Chicago (CST, -06:00).
    expect(parseRecurrence('FREQ=WEEKLY;UNTIL=20271201T150000Z', timed).text).toBe(
      'FREQ=WEEKLY;UNTIL=20271201T090000',
    );
    expect(parseRecurrence('FREQ=WEEKLY;UNTIL=20271201T090000', timed).text).toBe(
      'FREQ=WEEKLY;UNTIL=20271201T090000',
    );
    // A DATE bounds a timed series at the end of that local day.
    expect(parseRecurrence('FREQ=WEEKLY;UNTIL=20271201', timed).text).toBe(
      'FREQ=WEEKLY;UNTIL=20271201T235959',
    );
    expect(parseRecurrence('FREQ=WEEKLY;UNTIL=20271202T030000Z', allDay).text).toBe(
      'FREQ=WEEKLY;UNTIL=20271201',
    );
  });

  it.each([
    ['', /single RRULE/],
    ['FREQ=WEEKLY\nEXDATE:20270101', /single RRULE/],
    ['BYDAY=MO', /FREQ must be/],
    ['FREQ=HOURLY', /FREQ must be/],
    ['FREQ=FORTNIGHTLY', /FREQ must be/],
    ['FREQ=WEEKLY;FREQ=DAILY', /FREQ appears more than once/],
    ['FREQ=WEEKLY;FOO=1', /Unknown RRULE property/],
    ['FREQ=DAILY;BYHOUR=9,17', /BYHOUR is not supported/],
    ['FREQ=YEARLY;BYWEEKNO=20', /BYWEEKNO is not supported/],
    ['FREQ=WEEKLY;DTSTART=20270101T090000', /DTSTART is not supported/],
    ['FREQ=WEEKLY;INTERVAL=0', /INTERVAL must be/],
    ['FREQ=WEEKLY;INTERVAL=abc', /INTERVAL must be/],
    ['FREQ=WEEKLY;COUNT=0', /COUNT must be/],
    ['FREQ=WEEKLY;COUNT=1001', /COUNT must be/],
    ['FREQ=WEEKLY;COUNT=3;UNTIL=20280101', /must not both be set/],
    ['FREQ=WEEKLY;UNTIL=2028', /Invalid UNTIL value/],
    ['FREQ=WEEKLY;UNTIL=20280231', /not a valid date/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY must list days/],
    ['FREQ=WEEKLY;BYDAY=2MO', /needs MONTHLY or YEARLY/],
    ['FREQ=MONTHLY;BYDAY=6MO', /position must be/],
    ['FREQ=WEEKLY;BYMONTHDAY=1', /BYMONTHDAY needs/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /BYMONTHDAY must be/],
    ['FREQ=MONTHLY;BYSETPOS=1', /BYSETPOS needs another/],
    ['FREQ=MONTHLY;BYMONTH=13', /BYMONTH must be/],
  ])('refuses %j', (text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});

describe('startsOnRule', () => {
  it('is true only when the start is itself an occurrence', () => {
    const weeklyMonday = parseRecurrence('FREQ=WEEKLY;BYDAY=MO', timed);
    expect(startsOnRule(weeklyMonday, wall('2027-03-01T09:00'))).toBe(true); // a Monday
    expect(startsOnRule(weeklyMonday, wall('2027-03-02T09:00'))).toBe(false);
    const leapDay = parseRecurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', timed);
    expect(startsOnRule(leapDay, wall('2028-02-29T09:00'))).toBe(true);
  });

  it('answers (false) for rules that can never match instead of iterating to year 9999', () => {
    const never = parseRecurrence('FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30', timed);
    expect(startsOnRule(never, wall('2027-02-01T09:00'))).toBe(false);
    const neverWeekly = parseRecurrence('FREQ=DAILY;INTERVAL=7;BYDAY=TU', timed);
    expect(startsOnRule(neverWeekly, wall('2027-03-01T09:00'))).toBe(false);
  });
});

describe('occursOn / eachOccurrence', () => {
  it('names occurrences by local date, honouring COUNT and UNTIL', () => {
    const rule = parseRecurrence('FREQ=WEEKLY;COUNT=3', timed);
    const start = wall('2027-03-01T09:00');
    expect(occursOn(rule, start, day('2027-03-15'))).toBe(true);
    expect(occursOn(rule, start, day('2027-03-22'))).toBe(false); // past COUNT
    expect(occursOn(rule, start, day('2027-03-16'))).toBe(false);
    expect(occursOn(null, start, day('2027-03-01'))).toBe(true);
    const until = parseRecurrence('FREQ=DAILY;UNTIL=20270303', timed);
    expect(occursOn(until, start, day('2027-03-03'))).toBe(true);
    expect(occursOn(until, start, day('2027-03-04'))).toBe(false);
  });

  it('expands far-future windows from a re-anchored start, giving the same dates', () => {
    const rule = parseRecurrence('FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR', timed);
    const start = wall('1999-01-29T18:30'); // last Friday of January 1999
    const collect = (reanchor: boolean) => {
      const out: string[] = [];
      eachOccurrence(
        rule,
        start,
        wall('2150-01-01T00:00'),
        wall('2152-01-01T00:00'),
        (f) => out.push(f.toISOString()) > 0,
        reanchor,
      );
      return out;
    };
    expect(collect(true)).toEqual(collect(false));
    expect(collect(true).length).toBeGreaterThan(3);
  });

  it('computes plain daily and weekly series directly, exactly as rrule expands them', () => {
    const ruleArb = fc
      .record({
        freq: fc.constantFrom('DAILY', 'WEEKLY'),
        interval: fc.integer({ min: 1, max: 20 }),
        end: fc.oneof(
          fc.constant(''),
          fc.integer({ min: 1, max: 60 }).map((n) => `;COUNT=${n}`),
          fc.integer({ min: 0, max: 900 }).map((d) => {
            const u = new Date(Date.UTC(2027, 2, 1 + d, 12, 0, 0));
            return `;UNTIL=${u.toISOString().slice(0, 19).replace(/[-:]/g, '')}`;
          }),
        ),
      })
      .map(({ freq, interval, end }) => `FREQ=${freq};INTERVAL=${interval}${end}`);
    fc.assert(
      fc.property(
        ruleArb,
        fc.boolean(),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (text, isAllDay, offsetDays, spanDays, max) => {
          const rule = parseRecurrence(text, isAllDay ? allDay : timed);
          const start = isAllDay ? day('2027-03-01') : wall('2027-03-01T09:30');
          const from = new Date(start.getTime() + (offsetDays - 100) * 86_400_000 + 3_600_000);
          const to = new Date(from.getTime() + spanDays * 86_400_000);
          const collect = (arithmetic: boolean) => {
            const out: string[] = [];
            eachOccurrence(
              rule,
              start,
              from,
              to,
              (f) => out.push(f.toISOString()) < max,
              true,
              arithmetic,
            );
            return out;
          };
          expect(collect(true)).toEqual(collect(false));
        },
      ),
      { numRuns: 400 },
    );
  });
});
