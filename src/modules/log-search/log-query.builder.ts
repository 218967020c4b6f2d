import { LEVELS, LEVEL_NAMES, type LevelName } from './log-document';

/** Validated, bounded filters; the service builds these from the request, never from DSL. */
export interface LogFilters {
  from: Date;
  to: Date;
  q?: string;
  level?: LevelName;
  requestId?: string;
  route?: string;
  /** An exact status ("404") or a class ("5xx"). */
  status?: string;
}

/** search_after position: the last hit's @timestamp (epoch ms) and logId. */
export type LogCursor = [number, string];

export const HISTOGRAM_INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '3h': 10_800_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
} as const;
export type HistogramInterval = keyof typeof HISTOGRAM_INTERVALS;

export const STATUS_PATTERN = /^[1-5](\d\d|xx)$/;

type Query = Record<string, unknown>;

export function buildFilterQuery(f: LogFilters): Query {
  const filter: Query[] = [
    {
      range: {
        '@timestamp': {
          gte: f.from.toISOString(),
          lt: f.to.toISOString(),
          format: 'strict_date_optional_time',
        },
      },
    },
  ];
  if (f.level) filter.push({ range: { level: { gte: LEVELS[f.level] } } });
  if (f.requestId) filter.push({ term: { requestId: f.requestId } });
  if (f.route) filter.push({ term: { route: f.route } });
  if (f.status) filter.push(statusFilter(f.status));
  const must: Query[] = f.q
    ? [{ multi_match: { query: f.q, fields: ['msg', 'err.message'], operator: 'and' } }]
    : [];
  return { bool: must.length > 0 ? { filter, must } : { filter } };
}

function statusFilter(status: string): Query {
  if (!STATUS_PATTERN.test(status)) throw new Error(`invalid status filter ${status}`);
  if (status.endsWith('xx')) {
    const base = Number(status[0]) * 100;
    return { range: { statusCode: { gte: base, lte: base + 99 } } };
  }
  return { term: { statusCode: Number(status) } };
}

/** Newest first; logId breaks ties between records of the same millisecond. */
export const LOG_SORT = [{ '@timestamp': { order: 'desc' } }, { logId: { order: 'desc' } }];

export function buildSearchBody(f: LogFilters, size: number, after?: LogCursor): Query {
  return {
    query: buildFilterQuery(f),
    sort: LOG_SORT,
    size,
    track_total_hits: 10_000,
    ...(after ? { search_after: after } : {}),
  };
}

export function buildHistogramBody(f: LogFilters, interval: HistogramInterval): Query {
  return {
    query: buildFilterQuery(f),
    size: 0,
    track_total_hits: true,
    aggs: {
      timeline: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: interval,
          min_doc_count: 0,
          extended_bounds: { min: f.from.getTime(), max: f.to.getTime() - 1 },
        },
        aggs: { levels: { terms: { field: 'levelName', size: LEVEL_NAMES.length } } },
      },
    },
  };
}

/** Number of buckets a histogram over the filters' range has at this interval. */
export function bucketCount(f: LogFilters, interval: HistogramInterval): number {
  const step = HISTOGRAM_INTERVALS[interval];
  const first = Math.floor(f.from.getTime() / step);
  const last = Math.floor((f.to.getTime() - 1) / step);
  return last - first + 1;
}

/** The finest interval that keeps the histogram within maxBuckets. */
export function autoInterval(f: LogFilters, maxBuckets: number): HistogramInterval {
  const names = Object.keys(HISTOGRAM_INTERVALS) as HistogramInterval[];
  return names.find((name) => bucketCount(f, name) <= maxBuckets) ?? '1d';
}

export function isLogCursor(value: unknown): value is LogCursor {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    typeof value[1] === 'string' &&
    value[1].length > 0 &&
    value[1].length <= 128
  );
}
