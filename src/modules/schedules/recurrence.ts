import { DateTime } from 'luxon';
import { Frequency, type Options, RRule, Weekday } from 'rrule';
import { DAY_MS, type Floating, MAX_YEAR, MIN_YEAR, localDate } from './local-time';

/** A refusal of an RRULE, worded for the `recurrence` field. */
export class RecurrenceError extends Error {}

export const MAX_COUNT = 1000;
export const MAX_INTERVAL = 999;

type RuleOptions = Partial<Options>;

/** A parsed, validated RRULE. `until` is a wall-clock time in the schedule's zone (inclusive). */
export interface RecurrenceRule {
  /** Canonical RRULE value as stored (no `RRULE:` prefix, UNTIL as local wall-clock). */
  text: string;
  options: RuleOptions;
  until: Floating | null;
}

const FREQUENCIES: Partial<Record<Frequency, string>> = {
  [Frequency.YEARLY]: 'YEARLY',
  [Frequency.MONTHLY]: 'MONTHLY',
  [Frequency.WEEKLY]: 'WEEKLY',
  [Frequency.DAILY]: 'DAILY',
};

// The parts this service expands and writes back out. Sub-daily parts are refused so that an
// event has at most one occurrence per local date (occurrences, exceptions and cancellations are
// named by that date); BYWEEKNO/BYYEARDAY/BYEASTER are rarely used and easy to make pathological.
const ALLOWED = new Set([
  'freq',
  'interval',
  'count',
  'until',
  'wkst',
  'byweekday',
  'bymonth',
  'bymonthday',
  'bysetpos',
]);
const PART_NAME: Record<string, string> = {
  dtstart: 'DTSTART',
  tzid: 'TZID',
  byhour: 'BYHOUR',
  byminute: 'BYMINUTE',
  bysecond: 'BYSECOND',
  byweekno: 'BYWEEKNO',
  byyearday: 'BYYEARDAY',
  byeaster: 'BYEASTER',
  bynweekday: 'BYDAY',
  bynmonthday: 'BYMONTHDAY',
};

const asArray = <T>(v: T | T[] | null | undefined): T[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function intList(name: string, value: unknown, ok: (n: number) => boolean, rule: string): number[] {
  const list = asArray(value as number | number[]);
  if (
    list.length === 0 ||
    !list.every((n) => typeof n === 'number' && Number.isInteger(n) && ok(n))
  )
    throw new RecurrenceError(`${name} must be ${rule}`);
  return list;
}

const UNTIL = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/;

/**
 * UNTIL is kept as a wall-clock time in the schedule's zone, like DTSTART. A UTC value (`...Z`,
 * what RFC 5545 asks for with a zoned DTSTART) is converted on input; a DATE bounds a timed
 * event at the end of that local day.
 */
function parseUntil(raw: string, allDay: boolean, zone: string): Floating {
  const m = UNTIL.exec(raw);
  if (!m) throw new RecurrenceError('UNTIL must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ');
  const [year, month, day] = [m[1], m[2], m[3]].map(Number);
  const hasTime = m[4] !== undefined;
  let dt = DateTime.fromObject(
    hasTime
      ? { year, month, day, hour: +m[4], minute: +m[5], second: +m[6] }
      : { year, month, day },
    { zone: 'utc' },
  );
  if (!dt.isValid) throw new RecurrenceError(`UNTIL ${raw} is not a valid date`);
  if (m[7]) dt = dt.setZone(zone).setZone('utc', { keepLocalTime: true });
  if (allDay) dt = dt.startOf('day');
  else if (!hasTime) dt = dt.endOf('day').startOf('second');
  if (dt.year < MIN_YEAR || dt.year > MAX_YEAR)
    throw new RecurrenceError(`UNTIL must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  return dt.toJSDate();
}

function formatUntil(until: Floating, allDay: boolean): string {
  const dt = DateTime.fromJSDate(until, { zone: 'utc' });
  return dt.toFormat(allDay ? 'yyyyLLdd' : "yyyyLLdd'T'HHmmss");
}

/**
 * Parses an RFC 5545 RRULE value (with or without the `RRULE:` prefix, any letter case) with the
 * rrule library and checks it against what this service supports. Throws RecurrenceError.
 */
export function parseRecurrence(
  input: string,
  { allDay, zone }: { allDay: boolean; zone: string },
): RecurrenceRule {
  const text = input
    .trim()
    .replace(/^RRULE:/i, '')
    .toUpperCase();
  if (!/^[A-Z0-9=;,+-]+$/.test(text))
    throw new RecurrenceError('must be a single RRULE value such as FREQ=WEEKLY;BYDAY=MO');
  const names = text.split(';').map((p) => p.split('=')[0]);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new RecurrenceError(`${duplicate} appears more than once`);

  let parsed: RuleOptions;
  try {
    parsed = RRule.parseString(text);
  } catch (error) {
    throw new RecurrenceError((error as Error).message);
  }
  for (const key of Object.keys(parsed)) {
    if (!ALLOWED.has(key) && (parsed as Record<string, unknown>)[key] !== undefined)
      throw new RecurrenceError(`${PART_NAME[key] ?? key.toUpperCase()} is not supported`);
  }

  const freq = parsed.freq;
  if (freq === undefined || FREQUENCIES[freq] === undefined)
    throw new RecurrenceError('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY');
  const options: RuleOptions = { freq };
  const periodic = freq === Frequency.MONTHLY || freq === Frequency.YEARLY;

  if (parsed.interval !== undefined) {
    if (!isInt(parsed.interval, 1, MAX_INTERVAL))
      throw new RecurrenceError(`INTERVAL must be an integer from 1 to ${MAX_INTERVAL}`);
    options.interval = parsed.interval;
  }
  if (parsed.count !== undefined) {
    if (!isInt(parsed.count, 1, MAX_COUNT))
      throw new RecurrenceError(`COUNT must be an integer from 1 to ${MAX_COUNT}`);
    options.count = parsed.count;
  }
  if (parsed.wkst !== undefined) {
    if (!(parsed.wkst instanceof Weekday)) throw new RecurrenceError('WKST must be MO..SU');
    options.wkst = parsed.wkst;
  }
  if (parsed.bymonth !== undefined)
    options.bymonth = intList('BYMONTH', parsed.bymonth, (n) => n >= 1 && n <= 12, '1..12');
  if (parsed.bymonthday !== undefined) {
    if (!periodic) throw new RecurrenceError('BYMONTHDAY needs FREQ=MONTHLY or FREQ=YEARLY');
    options.bymonthday = intList(
      'BYMONTHDAY',
      parsed.bymonthday,
      (n) => n !== 0 && Math.abs(n) <= 31,
      '1..31 or -31..-1',
    );
  }
  if (parsed.byweekday !== undefined) {
    const days = asArray(parsed.byweekday);
    if (days.length === 0 || !days.every((d) => d instanceof Weekday))
      throw new RecurrenceError('BYDAY must list days such as MO,WE or, monthly, 2MO or -1FR');
    const limit = freq === Frequency.YEARLY ? 53 : 5;
    for (const day of days) {
      if (day.n === undefined || day.n === null) continue;
      if (!periodic)
        throw new RecurrenceError('BYDAY with a position (2MO, -1FR) needs MONTHLY or YEARLY');
      if (!isInt(day.n, -limit, limit) || day.n === 0)
        throw new RecurrenceError(`BYDAY position must be 1..${limit} or -${limit}..-1`);
    }
    options.byweekday = days;
  }
  if (parsed.bysetpos !== undefined) {
    if (!periodic) throw new RecurrenceError('BYSETPOS needs FREQ=MONTHLY or FREQ=YEARLY');
    if (!options.bymonthday && !options.byweekday && !options.bymonth)
      throw new RecurrenceError('BYSETPOS needs another BYxxx part');
    options.bysetpos = intList(
      'BYSETPOS',
      parsed.bysetpos,
      (n) => n !== 0 && Math.abs(n) <= 366,
      '1..366 or -366..-1',
    );
  }

  let until: Floating | null = null;
  if (parsed.until !== undefined) {
    if (options.count !== undefined)
      throw new RecurrenceError('COUNT and UNTIL must not both be set');
    const raw =
      text
        .split(';')
        .find((p) => p.startsWith('UNTIL='))
        ?.slice('UNTIL='.length) ?? '';
    until = parseUntil(raw, allDay, zone);
  }

  const canonical = RRule.optionsToString(options).replace(/^RRULE:/, '');
  return {
    text: until ? `${canonical};UNTIL=${formatUntil(until, allDay)}` : canonical,
    options,
    until,
  };
}

/** The rrule options for expanding `rule` from `start`, re-anchored close to `notBefore`. */
function expansionOptions(
  rule: RecurrenceRule,
  start: Floating,
  notBefore?: Floating,
): RuleOptions {
  const options: RuleOptions = { ...rule.options, dtstart: start, until: rule.until };
  if (!notBefore || rule.options.count !== undefined) return options;
  const interval = rule.options.interval ?? 1;
  const freq = rule.options.freq;

  // Move DTSTART forward by whole periods so expansion costs the same for a window next week or
  // in 2150. The by-parts rrule would derive from DTSTART are made explicit first, so the series
  // after the new start is unchanged; only occurrences before `notBefore` are lost. A series with
  // COUNT is never moved: its count runs from the real start.
  if (options.bymonthday === undefined && options.byweekday === undefined) {
    if (freq === Frequency.YEARLY) {
      options.bymonth ??= [start.getUTCMonth() + 1];
      options.bymonthday = [start.getUTCDate()];
    } else if (freq === Frequency.MONTHLY) {
      options.bymonthday = [start.getUTCDate()];
    } else if (freq === Frequency.WEEKLY) {
      options.byweekday = [(start.getUTCDay() + 6) % 7];
    }
  }
  const [y, m, h, mi, s] = [
    start.getUTCFullYear(),
    start.getUTCMonth(),
    start.getUTCHours(),
    start.getUTCMinutes(),
    start.getUTCSeconds(),
  ];
  const days = Math.floor((notBefore.getTime() - start.getTime()) / DAY_MS);
  let anchored: Date | null = null;
  switch (freq) {
    case Frequency.DAILY: {
      const periods = Math.floor(days / interval) - 1;
      if (periods > 0) anchored = new Date(start.getTime() + periods * interval * DAY_MS);
      break;
    }
    case Frequency.WEEKLY: {
      const periods = Math.floor(days / 7 / interval) - 1;
      if (periods > 0) anchored = new Date(start.getTime() + periods * interval * 7 * DAY_MS);
      break;
    }
    case Frequency.MONTHLY: {
      const months = (notBefore.getUTCFullYear() - y) * 12 + (notBefore.getUTCMonth() - m);
      const periods = Math.floor(months / interval) - 1;
      if (periods > 0) anchored = new Date(Date.UTC(y, m + periods * interval, 1, h, mi, s));
      break;
    }
    case Frequency.YEARLY: {
      const periods = Math.floor((notBefore.getUTCFullYear() - y) / interval) - 1;
      if (periods > 0) anchored = new Date(Date.UTC(y + periods * interval, 0, 1, h, mi, s));
      break;
    }
    case Frequency.HOURLY:
    case Frequency.MINUTELY:
    case Frequency.SECONDLY:
    case undefined:
      break;
  }
  if (anchored) options.dtstart = anchored;
  return options;
}

/**
 * Days between occurrences of a rule that is a plain arithmetic series on the wall clock (DAILY,
 * or WEEKLY on the start's weekday, with no BYxxx part), else null.
 */
function stepDays(rule: RecurrenceRule): number | null {
  const o = rule.options;
  if (o.byweekday !== undefined || o.bymonth !== undefined || o.bymonthday !== undefined)
    return null;
  const interval = o.interval ?? 1;
  if (o.freq === Frequency.DAILY) return interval;
  if (o.freq === Frequency.WEEKLY) return 7 * interval;
  return null;
}

/**
 * Calls `visit` with each wall-clock start of the series from `start`, in order, from (about)
 * `from` on, until `visit` returns false or the series ends. `reanchor: false` is for tests
 * proving re-anchoring changes nothing; `arithmetic: false` for tests proving the arithmetic
 * path gives what rrule gives.
 *
 * The commonest rules (every N days or weeks) are a plain series on the wall clock and are
 * computed directly: building an RRule and its year masks for each chunk of a public request was
 * most of what such a request cost.
 */
export function eachOccurrence(
  rule: RecurrenceRule,
  start: Floating,
  from: Floating,
  to: Floating,
  visit: (f: Floating) => boolean,
  reanchor = true,
  arithmetic = true,
): void {
  const days = arithmetic ? stepDays(rule) : null;
  if (days !== null) {
    const step = days * DAY_MS;
    const last = Math.min(to.getTime(), rule.until?.getTime() ?? Infinity);
    const count = rule.options.count ?? Infinity;
    for (let k = Math.max(0, Math.ceil((from.getTime() - start.getTime()) / step)); ; k++) {
      const t = start.getTime() + k * step;
      if (k >= count || t > last || !visit(new Date(t))) return;
    }
  }
  const rrule = new RRule(expansionOptions(rule, start, reanchor ? from : undefined));
  rrule.between(from, to, true, (d) => visit(d));
}

/**
 * True when `start` is itself an occurrence of `rule` (RFC 5545 leaves a DTSTART outside its
 * rule undefined, and clients disagree on it). The probe runs on a copy shifted 400·k years,
 * close to rrule's year-9999 horizon: the Gregorian calendar repeats exactly every 400 years, so
 * the answer is the same, and a rule that never matches gives up within 400 years instead of
 * iterating to year 9999.
 */
export function startsOnRule(rule: RecurrenceRule, start: Floating): boolean {
  const { freq, byweekday, bymonth } = rule.options;
  if (freq === Frequency.DAILY || freq === Frequency.WEEKLY) {
    // Daily and weekly rules only filter by weekday and month here (see parseRecurrence), so
    // the answer is direct, and cheaper than a probe that may walk 400 years day by day.
    const weekday = (start.getUTCDay() + 6) % 7;
    const days = asArray(byweekday).map((d) => (d instanceof Weekday ? d.weekday : d));
    const months = asArray(bymonth);
    return (
      (days.length === 0 || days.includes(weekday)) &&
      (months.length === 0 || months.includes(start.getUTCMonth() + 1))
    );
  }
  const shift = 400 * Math.floor((9998 - start.getUTCFullYear()) / 400);
  const shifted = new Date(start.getTime());
  shifted.setUTCFullYear(start.getUTCFullYear() + shift);
  const first = new RRule({
    ...rule.options,
    dtstart: shifted,
    until: null,
    count: 1,
  }).all();
  return first.length === 1 && first[0].getTime() === shifted.getTime();
}

/** True when the series starting at `start` has an occurrence on local date `date`. */
export function occursOn(rule: RecurrenceRule | null, start: Floating, date: Floating): boolean {
  const key = localDate(date);
  if (!rule) return localDate(start) === key;
  let found = false;
  eachOccurrence(rule, start, date, new Date(date.getTime() + DAY_MS - 1), (f) => {
    found = localDate(f) === key;
    return !found;
  });
  return found;
}
