import { existsInZone, isoWithOffset, parseLocal, resolveLocal } from './local-time';

const wall = (s: string) => parseLocal(s, false)!;

describe('parseLocal', () => {
  it('reads local date-times and dates, refusing impossible or out-of-range ones', () => {
    expect(wall('2027-03-01T09:00').toISOString()).toBe('2027-03-01T09:00:00.000Z');
    expect(parseLocal('2027-03-01', true)?.toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(parseLocal('2027-02-30T09:00', false)).toBeNull();
    expect(parseLocal('2027-03-01T24:00', false)).toBeNull();
    expect(parseLocal('2027-03-01', false)).toBeNull();
    expect(parseLocal('2027-03-01T09:00', true)).toBeNull();
    expect(parseLocal('1969-12-31T09:00', false)).toBeNull();
    expect(parseLocal('2200-01-01T09:00', false)).toBeNull();
  });
});

describe('resolveLocal (the documented DST rule)', () => {
  it('moves a time skipped by spring-forward forward by the gap', () => {
    expect(isoWithOffset(resolveLocal(wall('2027-03-14T02:30'), 'America/Chicago'))).toBe(
      '2027-03-14T03:30:00-05:00',
    );
    expect(isoWithOffset(resolveLocal(wall('2027-03-28T02:30'), 'Europe/Berlin'))).toBe(
      '2027-03-28T03:30:00+02:00',
    );
    expect(existsInZone(wall('2027-03-14T02:30'), 'America/Chicago')).toBe(false);
  });

  it('takes the first (daylight-time) instance of a time repeated by fall-back', () => {
    expect(isoWithOffset(resolveLocal(wall('2027-11-07T01:30'), 'America/Chicago'))).toBe(
      '2027-11-07T01:30:00-05:00',
    );
    expect(isoWithOffset(resolveLocal(wall('2027-10-31T02:30'), 'Europe/Berlin'))).toBe(
      '2027-10-31T02:30:00+02:00',
    );
    // Lord Howe Island changes by 30 minutes.
    expect(isoWithOffset(resolveLocal(wall('2027-04-04T01:45'), 'Australia/Lord_Howe'))).toBe(
      '2027-04-04T01:45:00+11:00',
    );
    expect(existsInZone(wall('2027-11-07T01:30'), 'America/Chicago')).toBe(true);
  });

  it('leaves ordinary times alone', () => {
    expect(isoWithOffset(resolveLocal(wall('2027-07-01T09:00'), 'America/Chicago'))).toBe(
      '2027-07-01T09:00:00-05:00',
    );
    expect(isoWithOffset(resolveLocal(wall('2027-07-01T09:00'), 'UTC'))).toBe(
      '2027-07-01T09:00:00Z',
    );
  });
});
