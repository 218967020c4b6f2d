import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IANAZone } from 'luxon';
// The IANA database as its own package publishes it (zones as rule lists, links as strings):
// an independent list, so a zone this service refuses shows up here, not in a user's request.
import tzdata from 'tzdata';
import { TimeZoneField } from '../http/field-rules';
import { TIME_ZONES } from './time-zones';

const zones = (tzdata as { zones: Record<string, unknown> }).zones;
const names = Object.keys(zones);
const canonical = names.filter((name) => typeof zones[name] !== 'string');
const links = names.filter((name) => typeof zones[name] === 'string');

class ZoneHolder {
  @TimeZoneField() timezone!: string;
}
const refusedByTheField = (zone: string): boolean =>
  validateSync(plainToInstance(ZoneHolder, { timezone: zone })).length > 0;

describe('TIME_ZONES (what a timezone field accepts and the OpenAPI document lists)', () => {
  it('holds UTC and the IANA names, sorted and without repeats', () => {
    expect(TIME_ZONES).toContain('UTC');
    expect(TIME_ZONES).toContain('America/Chicago');
    expect([...TIME_ZONES].sort()).toEqual(TIME_ZONES);
    expect(new Set(TIME_ZONES).size).toBe(TIME_ZONES.length);
  });

  it("accepts every canonical zone of tzdata's full list (Factory, not a place, aside)", () => {
    expect(canonical.length).toBeGreaterThan(300);
    const refused = canonical.filter((zone) => zone !== 'Factory' && refusedByTheField(zone));
    expect(refused).toEqual([]);
  });

  it('accepts every link of tzdata too: the old spellings stored pages may carry', () => {
    expect(links.length).toBeGreaterThan(200);
    expect(links.filter(refusedByTheField)).toEqual([]);
  });

  it('accepts the current and the old spelling of renamed zones, and refuses what is none', () => {
    for (const zone of ['Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'Europe/Kiev', 'Etc/UTC'])
      expect(refusedByTheField(zone)).toBe(false);
    for (const zone of ['Factory', 'asia/kolkata', 'Mars/Olympus_Mons', 'EST5', '+05:30', ''])
      expect(refusedByTheField(zone)).toBe(true);
  });

  it('holds only names luxon accepts, so a schedule in any of them can be expanded', () => {
    expect(TIME_ZONES.filter((zone) => !IANAZone.isValidZone(zone))).toEqual([]);
  });
});
