import fc from 'fast-check';
import { canonicalBound, canonicalWindowQuery, resolveWindow } from './schedule-window';

const ZONE = 'America/Chicago';
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

  it('is idempotent, on whole hours, and holds the requested window, less than an hour wider each side', () => {
    fc.assert(
      fc.property(dateTime, dateTime, (a, b) => {
        const from = canonicalBound('from', a);
        const to = canonicalBound('to', b);
        expect(canonicalBound('from', from)).toBe(from);
        expect(canonicalBound('to', to)).toBe(to);
        expect(from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z?$/);
        // A date-time reads the same as either bound.
        const instant = (v: string) => resolveWindow({ from: v }, ZONE, NOW, 1).from.toMillis();
        const [asked, askedTo, got, gotTo] = [a, b, from, to].map(instant);
        const hour = 3_600_000;
        expect(got).toBeLessThanOrEqual(asked);
        expect(asked - got).toBeLessThan(hour);
        expect(gotTo).toBeGreaterThanOrEqual(askedTo);
        expect(gotTo - askedTo).toBeLessThan(hour);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a value it cannot read for resolveWindow to refuse', () => {
    expect(canonicalBound('from', '2027-02-30T09:10')).toBe('2027-02-30T09:10');
  });
});
