import fc from 'fast-check';
import {
  autoInterval,
  bucketCount,
  buildFilterQuery,
  buildHistogramBody,
  buildSearchBody,
  isLogCursor,
  type LogFilters,
} from './log-query.builder';

const range = {
  from: new Date('2025-06-01T00:00:00Z'),
  to: new Date('2025-06-02T00:00:00Z'),
};
const timeFilter = {
  range: {
    '@timestamp': {
      gte: '2025-06-01T00:00:00.000Z',
      lt: '2025-06-02T00:00:00.000Z',
      format: 'strict_date_optional_time',
    },
  },
};

describe('log query builder', () => {
  it('always bounds the query by the time range', () => {
    expect(buildFilterQuery(range)).toEqual({ bool: { filter: [timeFilter] } });
  });

  it('turns each filter into an exact term, a range or a text match', () => {
    const f: LogFilters = {
      ...range,
      q: 'schedule stale',
      level: 'warn',
      requestId: 'req-1',
      route: '/v1/pages/:slug',
      status: '404',
    };
    expect(buildFilterQuery(f)).toEqual({
      bool: {
        filter: [
          timeFilter,
          { range: { level: { gte: 40 } } },
          { term: { requestId: 'req-1' } },
          { term: { route: '/v1/pages/:slug' } },
          { term: { statusCode: 404 } },
        ],
        must: [
          {
            multi_match: {
              query: 'schedule stale',
              fields: ['msg', 'err.message'],
              operator: 'and',
            },
          },
        ],
      },
    });
  });

  it('matches a status class as a range', () => {
    const query = buildFilterQuery({ ...range, status: '5xx' }) as {
      bool: { filter: unknown[] };
    };
    expect(query.bool.filter[1]).toEqual({ range: { statusCode: { gte: 500, lte: 599 } } });
  });

  it('refuses a status that the DTO would not let through', () => {
    expect(() => buildFilterQuery({ ...range, status: '5x' })).toThrow();
  });

  it('sorts newest first with the log id as tiebreaker and continues after a cursor', () => {
    const body = buildSearchBody(range, 25, [1748772843512, 'abc-1']);
    expect(body).toMatchObject({
      size: 25,
      sort: [{ '@timestamp': { order: 'desc' } }, { logId: { order: 'desc' } }],
      search_after: [1748772843512, 'abc-1'],
    });
    expect(buildSearchBody(range, 25)).not.toHaveProperty('search_after');
  });

  it('builds a date histogram over the whole range with a per-level breakdown', () => {
    expect(buildHistogramBody(range, '1h')).toMatchObject({
      size: 0,
      track_total_hits: true,
      aggs: {
        timeline: {
          date_histogram: {
            field: '@timestamp',
            fixed_interval: '1h',
            min_doc_count: 0,
            extended_bounds: { min: range.from.getTime(), max: range.to.getTime() - 1 },
          },
          aggs: { levels: { terms: { field: 'levelName' } } },
        },
      },
    });
  });

  it('counts the buckets a range spans, partial ones included', () => {
    expect(bucketCount(range, '1h')).toBe(24);
    expect(bucketCount({ from: new Date(30 * 60_000), to: new Date(90 * 60_000 + 1) }, '1h')).toBe(
      2,
    );
  });

  it('picks an interval that keeps any range of up to 31 days within the bucket limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 31 * 86_400_000 }),
        (start, span) => {
          const f = { from: new Date(start), to: new Date(start + span) };
          return bucketCount(f, autoInterval(f, 200)) <= 200;
        },
      ),
    );
  });

  it('accepts only well-formed cursors', () => {
    expect(isLogCursor([1748772843512, 'abc'])).toBe(true);
    expect(isLogCursor([1.5, 'abc'])).toBe(false);
    expect(isLogCursor([1, ''])).toBe(false);
    expect(isLogCursor([1, 'a', 'b'])).toBe(false);
    expect(isLogCursor({ query: { match_all: {} } })).toBe(false);
  });
});
