import { randomBytes } from 'node:crypto';

/** pino's numeric levels and their names; the index stores both (range filter, keyword facet). */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;
export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

export function levelName(level: number): LevelName {
  let name: LevelName = 'trace';
  for (const candidate of LEVEL_NAMES) if (level >= LEVELS[candidate]) name = candidate;
  return name;
}

/** One log record as indexed. Fields beyond these stay in `_source` unindexed (dynamic: false). */
export interface LogDocument {
  '@timestamp': string;
  logId: string;
  level: number;
  levelName: LevelName;
  msg?: string;
  [field: string]: unknown;
}

const MAX_EPOCH_MS = 8.64e15; // the largest value a JS Date holds

// A per-process prefix and a counter: unique, ordered within a process, and cheap to make.
const processPrefix = randomBytes(6).toString('hex');
let sequence = 0;

export function newLogId(): string {
  sequence += 1;
  return `${processPrefix}-${sequence.toString(36).padStart(8, '0')}`;
}

/**
 * Turns one pino JSON line into the document the index template describes: `time` (epoch ms)
 * becomes `@timestamp`, the numeric level gains its name, and every record gets the `logId`
 * tiebreaker that search_after pagination sorts on. Returns null for a line that is not a JSON
 * object (nothing pino writes, but the shipper must not crash on it).
 */
export function toLogDocument(line: string, logId: string = newLogId()): LogDocument | null {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  const { time, level, ...rest } = record as Record<string, unknown>;
  const epochMs = typeof time === 'number' && Math.abs(time) <= MAX_EPOCH_MS ? time : Date.now();
  const numericLevel = typeof level === 'number' ? level : LEVELS.info;
  return {
    ...rest,
    '@timestamp': new Date(epochMs).toISOString(),
    logId,
    level: numericLevel,
    levelName: levelName(numericLevel),
  };
}
