import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { cachedZone } from './zone-offsets';

const ZONES = Intl.supportedValuesOf('timeZone');
const instant = fc.integer({ min: Date.UTC(1969, 11, 25), max: Date.UTC(2200, 0, 10) });

describe('cachedZone', () => {
  it('gives the offset IANAZone gives, at any instant of any zone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (name, ts) => {
        expect(cachedZone(name).offset(ts)).toBe(IANAZone.create(name).offset(ts));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the exact instant of a change, around both DST changes', () => {
    const zone = cachedZone('America/Chicago');
    const iana = IANAZone.create('America/Chicago');
    for (const iso of ['2027-03-14T08:00:00Z', '2027-11-07T07:00:00Z']) {
      const at = Date.parse(iso);
      for (const ts of [at - 1, at, at + 1]) expect(zone.offset(ts)).toBe(iana.offset(ts));
    }
  });

  it('builds the same DateTimes and ISO strings as luxon with the zone name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (name, ts) => {
        const mine = DateTime.fromMillis(ts, { zone: cachedZone(name) });
        const theirs = DateTime.fromMillis(ts, { zone: name });
        expect(mine.toISO()).toBe(theirs.toISO());
        expect(mine.zoneName).toBe(theirs.zoneName);
        expect(mine.plus({ hours: 30 }).toISO()).toBe(theirs.plus({ hours: 30 }).toISO());
      }),
      { numRuns: 500 },
    );
  });
});
