import { IANAZone, Info, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon';

const DAY_MS = 86_400_000;
/** Days remembered per zone (about 55 years); past it the memory starts over. */
const MAX_DAYS = 20_000;

interface Day {
  offset: number;
  /** The instant the offset changes that day, if it does, and the offset from then on. */
  change?: number;
  after?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An IANA zone that remembers its UTC offsets per UTC day. Luxon asks a zone for offsets several
 * times for every DateTime it builds or moves, and IANAZone answers each with an
 * Intl.DateTimeFormat#formatToParts call: in expanding a schedule that was most of the time
 * (100 daily events, 1000 occurrences: ~85 %). A day is learnt with two such calls, and a day
 * with an offset change finds the exact instant by bisection.
 *
 * Assumption: at most one offset change per UTC day. Every zone in the time zone database keeps
 * it over the years schedules use (1970–2199); the property test checks it against IANAZone.
 */
export class CachedZone extends Zone<true> {
  private readonly days = new Map<number, Day>();

  constructor(private readonly iana: IANAZone) {
    super();
  }

  override get type(): string {
    return 'iana'; // formats through Intl under its IANA name, exactly as IANAZone does
  }

  override get name(): string {
    return this.iana.name;
  }

  get ianaName(): string {
    return this.iana.name;
  }

  override get isUniversal(): boolean {
    return false;
  }

  override get isValid(): true {
    return true;
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string {
    return this.iana.offsetName(ts, options) ?? '';
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    const offset = this.offset(ts);
    const sign = offset >= 0 ? '+' : '-';
    const [h, m] = [Math.trunc(Math.abs(offset) / 60), Math.abs(offset) % 60];
    switch (format) {
      case 'narrow':
        return `${sign}${h}${m > 0 ? `:${m}` : ''}`;
      case 'techie':
        return `${sign}${pad(h)}${pad(m)}`;
      case 'short':
        return `${sign}${pad(h)}:${pad(m)}`;
    }
  }

  override offset(ts: number): number {
    const key = Math.floor(ts / DAY_MS);
    const day = this.days.get(key) ?? this.learn(key);
    return day.change !== undefined && ts >= day.change ? day.after! : day.offset;
  }

  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.name;
  }

  private learn(key: number): Day {
    const start = key * DAY_MS;
    let [lo, hi] = [start, start + DAY_MS - 1];
    const [first, last] = [this.iana.offset(lo), this.iana.offset(hi)];
    let day: Day = { offset: first };
    if (first !== last) {
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.iana.offset(mid) === first) lo = mid;
        else hi = mid;
      }
      day = { offset: first, change: hi, after: last };
    }
    if (this.days.size >= MAX_DAYS) this.days.clear();
    this.days.set(key, day);
    return day;
  }
}

const zones = new Map<string, Zone>();

/**
 * The remembering zone for a valid IANA name (one per name, shared by all requests). Names luxon
 * reads as a fixed offset (`UTC`) stay luxon's own zone: nothing to remember, and it prints `Z`.
 */
export function cachedZone(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    const own: Zone = Info.normalizeZone(name);
    zone = own.type === 'iana' ? new CachedZone(IANAZone.create(name)) : own;
    zones.set(name, zone);
  }
  return zone;
}
