import type { HistogramBucketDto, LogEntryDto } from './dto/log-search-response.dto';
import { levelName, LEVEL_NAMES, type LevelName } from './log-document';
import type { HistogramBucket } from './log.repository';

const KNOWN = [
  '@timestamp',
  'logId',
  'level',
  'levelName',
  'msg',
  'requestId',
  'method',
  'route',
  'url',
  'statusCode',
  'responseTimeMs',
  'err',
  'service',
  'version',
  'hostname',
] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function toLogEntry(source: Record<string, unknown>): LogEntryDto {
  const fields = Object.fromEntries(
    Object.entries(source).filter(([key]) => !(KNOWN as readonly string[]).includes(key)),
  );
  const err = source.err as Record<string, unknown> | undefined;
  const level = num(source.level);
  return {
    id: str(source.logId) ?? '',
    timestamp: str(source['@timestamp']) ?? '',
    level: level === undefined ? 'info' : levelName(level),
    msg: str(source.msg),
    requestId: str(source.requestId),
    method: str(source.method),
    route: str(source.route),
    url: str(source.url),
    statusCode: num(source.statusCode),
    responseTimeMs: num(source.responseTimeMs),
    err:
      err && typeof err === 'object'
        ? { type: str(err.type), message: str(err.message), stack: str(err.stack) }
        : undefined,
    service: str(source.service),
    version: str(source.version),
    hostname: str(source.hostname),
    fields,
  };
}

export function toHistogramBucket(bucket: HistogramBucket): HistogramBucketDto {
  const levels: Partial<Record<LevelName, number>> = {};
  for (const { key, doc_count } of bucket.levels?.buckets ?? []) {
    if ((LEVEL_NAMES as string[]).includes(key)) levels[key as LevelName] = doc_count;
  }
  return { start: new Date(bucket.key).toISOString(), count: bucket.doc_count, levels };
}
