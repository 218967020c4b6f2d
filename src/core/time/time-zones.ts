import { getAllTimezones } from 'countries-and-timezones';

/**
 * tzdata's placeholder for "zone not yet known": no place, and ICU refuses it, so luxon could
 * not expand a schedule in it.
 */
const NOT_A_PLACE = new Set(['Factory']);

/**
 * The IANA time zone names a schedule or a scheduled instant may be given: tzdata's zones and
 * links (countries-and-timezones carries both), and whatever else this runtime's ICU lists, `UTC`
 * included. Intl alone is not enough: it lists ICU's canonical ids, which are often the old
 * spellings (`Asia/Calcutta`, `Europe/Kiev`), so the current ones (`Asia/Kolkata`, `Europe/Kyiv`)
 * would be refused. Built from the two name lists only: asking ICU about each name at load
 * (a DateTimeFormat per zone) leaves the process ~20 MB bigger for good (bench/README.md); the
 * unit spec checks that every name here resolves, so any of them can be expanded.
 */
export const TIME_ZONES: readonly string[] = [
  ...new Set([
    'UTC',
    ...Intl.supportedValuesOf('timeZone'),
    ...Object.keys(getAllTimezones({ deprecated: true })).filter((name) => !NOT_A_PLACE.has(name)),
  ]),
].sort();
