import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { decodeCursor, encodeCursor } from '../../core/http/cursor';
import type { LogFiltersQuery, LogHistogramQuery, LogSearchQuery } from './dto/log-search.query';
import type { LogHistogramResponseDto, LogSearchResponseDto } from './dto/log-search-response.dto';
import {
  autoInterval,
  bucketCount,
  buildHistogramBody,
  buildSearchBody,
  isLogCursor,
  type LogFilters,
} from './log-query.builder';
import { LogRepository } from './log.repository';
import { toHistogramBucket, toLogEntry } from './log.presenter';

const HOUR_MS = 3_600_000;
export const DEFAULT_WINDOW_MS = 24 * HOUR_MS;
export const MAX_RANGE_MS = 31 * 24 * HOUR_MS;
const AUTO_MAX_BUCKETS = 200;
const MAX_BUCKETS = 1000;

/** Turns validated query parameters into bounded filters; the range is at most 31 days. */
export function resolveFilters(query: LogFiltersQuery, now: Date = new Date()): LogFilters {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (from.getTime() >= to.getTime()) {
    throw new DomainError(ErrorCode.ValidationFailed, '`from` must be before `to`');
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The time range is limited to 31 days');
  }
  return {
    from,
    to,
    q: query.q?.trim() || undefined,
    level: query.level,
    requestId: query.requestId,
    route: query.route,
    status: query.status,
  };
}

@Injectable()
export class LogSearchService {
  constructor(@Inject(LogRepository) private readonly logs: LogRepository) {}

  async search(query: LogSearchQuery): Promise<LogSearchResponseDto> {
    const filters = resolveFilters(query);
    const after = query.cursor ? decodeCursor(query.cursor, isLogCursor) : undefined;
    const result = await this.logs.search(buildSearchBody(filters, query.size, after));
    const last = result.hits[result.hits.length - 1];
    const nextCursor =
      result.hits.length === query.size && isLogCursor(last.sort) ? encodeCursor(last.sort) : null;
    return {
      items: result.hits.map((hit) => toLogEntry(hit.source)),
      nextCursor,
      total: result.total.value,
      totalRelation: result.total.relation,
      from: filters.from.toISOString(),
      to: filters.to.toISOString(),
    };
  }

  async histogram(query: LogHistogramQuery): Promise<LogHistogramResponseDto> {
    const filters = resolveFilters(query);
    const interval = query.interval ?? autoInterval(filters, AUTO_MAX_BUCKETS);
    if (bucketCount(filters, interval) > MAX_BUCKETS) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `interval ${interval} gives more than ${MAX_BUCKETS} buckets for this time range`,
      );
    }
    const result = await this.logs.histogram(buildHistogramBody(filters, interval));
    return {
      interval,
      from: filters.from.toISOString(),
      to: filters.to.toISOString(),
      total: result.total,
      buckets: result.buckets.map(toHistogramBucket),
    };
  }
}
