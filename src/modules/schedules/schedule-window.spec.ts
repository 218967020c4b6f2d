import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { canonicalBound, canonicalWindowQuery, resolveWindow } from './schedule-window';

// Hour gaps, a half-hour gap (Lord Howe), a midnight gap (Sao Paulo, to 2019), none (Kolkata).
const ZONES = ['America/Chicago', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kolkata'];
const NOW = new Date('2027-03-01T15:42:10Z');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const dateTime = fc
  .record({
    y: fc.integer({ min: 1971, max: 2198 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.option(fc.integer({ min: 0, max: 59 })),
    ms: fc.option(fc.integer({ min: 0, max: 999 })),
    offset: fc.constantFrom('', 'Z', '+05:30', '-03:00', '+00:00'),
  })
  .map(
    ({ y, mo, d, h, mi, s, ms, offset }) =>
      `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}` +
      (s === null ? '' : `:${pad(s)}${ms === null ? '' : `.${pad(ms, 3)}`}`) +
      offset,
  );

describe('canonical windows', () => {
  it.each([
    ['from', '2027-03-01', '2027-03-01'],
    ['from', '2027-03-01T09:17:45', '2027-03-01T09:00'],
    ['to', '2027-03-01T09:17', '2027-03-01T10:00'],
    ['to', '2027-03-01T09:00:00.000', '2027-03-01T09:00'],
    ['to', '2027-03-01T23:30', '2027-03-02T00:00'],
    ['from', '2027-03-01T09:17+05:30', '2027-03-01T03:00Z'],
    ['to', '2027-03-01T09:17+05:30', '2027-03-01T04:00Z'],
    ['from', '2027-03-01T09:00:00Z', '2027-03-01T09:00Z'],
  ] as const)('%s=%s is spelled %s', (name, value, canonical) => {
    expect(canonicalBound(name, value)).toBe(canonical);
  });

  it('orders from before to and leaves an empty query empty', () => {
    expect(canonicalWindowQuery({ to: '2027-04-01', from: '2027-03-01T09:30' })).toBe(
      'from=2027-03-01T09:00&to=2027-04-01',
    );
    expect(canonicalWindowQuery({})).toBe('');
  });

  const hour = 3_600_000;
  const instant = (v: string, zone: string) =>
    resolveWindow({ from: v }, zone, NOW, 1).from.toMillis();

  /** The canonical bounds of a and b are canonical, whole hours, and hold the window a..b. */
  function expectCanonical(a: string, b: string, zone: string) {
    const from = canonicalBound('from', a);
    const to = canonicalBound('to', b);
    expect(canonicalBound('from', from)).toBe(from);
    expect(canonicalBound('to', to)).toBe(to);
    expect(from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z?$/);
    // A date-time reads the same as either bound.
    const [asked, askedTo, got, gotTo] = [a, b, from, to].map((v) => instant(v, zone));
    // Never narrower; wider by less than an hour of the clock it was written in. A local hour
    // the clocks go back in lasts up to two hours, so a local bound may widen by up to two.
    const most = (v: string) => (/(Z|[+-]\d{2}:\d{2})$/.test(v) ? hour : 2 * hour);
    const check = (by: number, v: string) => (by >= 0 && by < most(v) ? by : `0 to ${most(v) - 1}`);
    // The whole case is printed on failure: a bare number would not say which value it was.
    const widened = { a, from, fromBy: asked - got, b, to, toBy: gotTo - askedTo };
    expect(widened).toEqual({
      ...widened,
      fromBy: check(widened.fromBy, a),
      toBy: check(widened.toBy, b),
    });
  }

  it('is idempotent, on whole hours, and holds the requested window, less than a clock hour wider each side', () => {
    fc.assert(fc.property(dateTime, dateTime, fc.constantFrom(...ZONES), expectCanonical), {
      numRuns: 300,
    });
  });

  /** The instants at which `zone`'s offset changed in [from, to), each to the millisecond. */
  function clockChanges(zone: string, from: string, to: string): number[] {
    const tz = IANAZone.create(zone);
    const changes: number[] = [];
    const end = DateTime.fromISO(to, { zone: 'utc' }).toMillis();
    for (let t = DateTime.fromISO(from, { zone: 'utc' }).toMillis(); t < end; t += 86_400_000) {
      if (tz.offset(t) === tz.offset(t + 86_400_000)) continue;
      let [lo, hi] = [t, t + 86_400_000];
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (tz.offset(mid) === tz.offset(t)) lo = mid + 1;
        else hi = mid;
      }
      changes.push(lo);
    }
    return changes;
  }

  it.each(['America/Chicago', 'Australia/Lord_Howe', 'America/Sao_Paulo'])(
    'holds the requested window across every clock change in %s, 2005-2013',
    (zone) => {
      const tz = IANAZone.create(zone);
      const changes = clockChanges(zone, '2005-01-01', '2013-01-01');
      expect(changes.length).toBeGreaterThanOrEqual(16);
      for (const change of changes) {
        // The wall clock from an hour before the change to an hour after it, read either side
        // (skipped or repeated times included), every 10 minutes and a millisecond either side.
        const walls = [
          change + tz.offset(change - 1) * 60_000,
          change + tz.offset(change) * 60_000,
        ];
        for (let t = Math.min(...walls) - hour; t <= Math.max(...walls) + hour; t += 600_000) {
          for (const ms of [-1, 0, 1]) {
            const v = DateTime.fromMillis(t + ms, { zone: 'utc' }).toFormat(
              "yyyy-LL-dd'T'HH:mm:ss.SSS",
            );
            expectCanonical(v, v, zone);
          }
        }
      }
    },
  );

  it.each([
    // America/Chicago skipped 02:00-03:00 on 2000-04-02: a skipped time reads as the jump, 08:00Z.
    ['America/Chicago', '2000-04-02T02:00:00.001', '2000-04-02T08:00:00.000Z'],
    ['America/Chicago', '2000-04-02T02:30', '2000-04-02T08:00:00.000Z'],
    ['America/Chicago', '2000-04-02T03:00', '2000-04-02T08:00:00.000Z'],
    ['America/Chicago', '2000-04-02T01:59:59.999', '2000-04-02T07:59:59.999Z'],
    // Lord Howe Island skips half an hour, 02:00-02:30, at 15:30Z the day before.
    ['Australia/Lord_Howe', '2020-10-04T02:10', '2020-10-03T15:30:00.000Z'],
    // A repeated hour (fall-back) reads as its later occurrence, as luxon reads it.
    ['America/Chicago', '2000-10-29T01:30', '2000-10-29T07:30:00.000Z'],
  ])('in %s, the local time %s is the instant %s', (zone, value, utc) => {
    expect(new Date(instant(value, zone)).toISOString()).toBe(utc);
  });

  it('leaves a value it cannot read for resolveWindow to refuse', () => {
    expect(canonicalBound('from', '2027-02-30T09:10')).toBe('2027-02-30T09:10');
  });
});
