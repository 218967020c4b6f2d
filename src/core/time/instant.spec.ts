import { checkScheduleWindow, parseInstant } from './instant';

describe('parseInstant', () => {
  it('takes an instant with its offset as that instant', () => {
    expect(parseInstant('at', '2027-03-28T00:00:00+01:00').toISOString()).toBe(
      '2027-03-27T23:00:00.000Z',
    );
    expect(parseInstant('at', '2027-03-28T00:00Z').toISOString()).toBe('2027-03-28T00:00:00.000Z');
  });

  it('refuses a wall-clock time without a zone', () => {
    expect(() => parseInstant('endsAt', '2027-03-28T00:00:00')).toThrow(/no offset/);
  });

  it('reads local midnight in the zone, on either side of a DST change', () => {
    // Europe/Berlin: CET (+01:00) until 2027-03-28 02:00, CEST (+02:00) after.
    expect(parseInstant('at', '2027-03-28T00:00', 'Europe/Berlin').toISOString()).toBe(
      '2027-03-27T23:00:00.000Z',
    );
    expect(parseInstant('at', '2027-03-29T00:00', 'Europe/Berlin').toISOString()).toBe(
      '2027-03-28T22:00:00.000Z',
    );
    // America/Chicago falls back on 2027-11-07: midnight of the 8th is CST (-06:00).
    expect(parseInstant('at', '2027-11-08T00:00:00', 'America/Chicago').toISOString()).toBe(
      '2027-11-08T06:00:00.000Z',
    );
  });

  it('refuses a local time the clocks skip, and one they repeat', () => {
    expect(() => parseInstant('at', '2027-03-28T02:30', 'Europe/Berlin')).toThrow(/does not exist/);
    expect(() => parseInstant('at', '2027-10-31T02:30', 'Europe/Berlin')).toThrow(/twice/);
  });

  it('refuses garbage and impossible dates', () => {
    expect(() => parseInstant('at', 'tomorrow')).toThrow(/ISO-8601/);
    expect(() => parseInstant('at', '2027-02-30T10:00:00Z')).toThrow(/not a valid/);
  });
});

describe('checkScheduleWindow', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  it('accepts the future up to two years, refuses the past and beyond', () => {
    expect(() => checkScheduleWindow('at', new Date('2027-01-01T00:00:01Z'), now)).not.toThrow();
    expect(() => checkScheduleWindow('at', new Date('2028-12-31T00:00:00Z'), now)).not.toThrow();
    expect(() => checkScheduleWindow('at', now, now)).toThrow(/past/);
    expect(() => checkScheduleWindow('at', new Date('2029-01-03T00:00:00Z'), now)).toThrow(
      /2 years/,
    );
  });
});
