import { hostname } from 'node:os';
import { isatty } from 'node:tty';
import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/config-validation.error';
import type { LOG_FORMATS } from '../config/environment.schema';

export const SERVICE_NAME = 'sponsored-agents';
export const SERVICE_VERSION = process.env.npm_package_version ?? '0.1.0';

/** Header values we accept as a request id; anything else gets a generated one (app.factory). */
export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  'authorization',
  '*.password',
  '*.token',
  '*.secretAccessKey',
];

/** stdout is written in chunks of at least this many bytes (pino's SonicBoom, `minLength`)... */
export const STDOUT_BUFFER_BYTES = 4096;
/** ...or at this interval, whichever comes first, so a quiet process's lines still show up. */
export const STDOUT_FLUSH_INTERVAL_MS = 500;

export interface LogDestinationOptions {
  /** `json` (the default) everywhere but `npm run dev`, which asks for `pretty` (LOG_FORMAT). */
  format?: (typeof LOG_FORMATS)[number];
  /** The file descriptor lines go to: stdout, except in tests. */
  fd?: number;
}

/**
 * stdout, in JSON written asynchronously and buffered, so that logging stays off the request's
 * hot path and one write(2) carries many lines. `logger.flush(cb)` waits until everything
 * buffered is written (GracefulShutdown and the fatal-error handler call it before exiting); pino
 * also writes what is left synchronously on process exit. `extraStreams` lets an in-app shipper
 * receive the same records. (LOG_FORMAT=pretty: see createPrettyDestination.)
 */
export function createLogDestination(
  extraStreams: DestinationStream[] = [],
  { format = 'json', fd = 1 }: LogDestinationOptions = {},
): DestinationStream {
  const stdout = format === 'pretty' ? createPrettyDestination(fd) : createJsonDestination(fd);
  if (extraStreams.length === 0) return stdout;
  // Each multistream entry defaults to level info; the logger's own level is the only filter.
  // (An in-app shipper here receives JSON whatever the format of stdout.)
  const streams = pino.multistream(
    [stdout, ...extraStreams].map((stream) => ({ stream, level: 'trace' as const })),
  );
  // A multistream has no flush(cb), so logger.flush would not wait for stdout; the shipper is
  // flushed when the app closes (LogSearchModule).
  return Object.assign(streams, {
    flush: (cb: (err?: Error) => void) => stdout.flush(cb),
  });
}

type FlushableDestination = DestinationStream & { flush(cb: (err?: Error) => void): void };

function createJsonDestination(fd: number): FlushableDestination {
  const stdout = pino.destination({
    dest: fd,
    sync: false,
    minLength: STDOUT_BUFFER_BYTES,
    periodicFlush: STDOUT_FLUSH_INTERVAL_MS,
    // Lines are queued as Buffers. In its default (utf8) mode SonicBoom appends each line to a
    // pending string with += and measures that whole string (Buffer.byteLength) on every write:
    // while a write is in flight, O(pending bytes, up to 16 KB) per line, ~5 % of the busy CPU of
    // /health/live under load. In buffer mode it keeps the lengths and copies once per write(2).
    contentMode: 'buffer',
  });
  // (Its typings declare write(string) whatever the mode.)
  const queue = stdout.write.bind(stdout) as unknown as (chunk: Buffer) => boolean;
  // pino hands every stream a string; SonicBoom in buffer mode takes only Buffers.
  stdout.write = (chunk: string | Buffer) =>
    queue(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return stdout;
}

/**
 * One human-readable line per record, for a person at a terminal (`npm run dev`). Each JSON line
 * is formatted by pino-pretty's formatter and written synchronously: a crash's fatal line is on
 * the screen before the process exits, and speed does not matter there.
 */
function createPrettyDestination(fd: number): FlushableDestination {
  const prettify = loadPinoPretty().prettyFactory({
    colorize: isatty(fd),
    translateTime: 'SYS:HH:MM:ss.l',
    // The same on every line of one process; Nest's `context` goes in front of the message.
    ignore: 'pid,hostname,service,version,context',
    messageFormat: '{if context}{context}: {end}{msg}',
    singleLine: true,
  });
  const out = pino.destination({ dest: fd, sync: true });
  return {
    write: (line: string) => out.write(prettify(line)),
    flush: (cb) => cb(),
  };
}

/** pino-pretty is a devDependency: present under `npm run dev`, absent from the image. */
function loadPinoPretty(): typeof import('pino-pretty') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for
    return require('pino-pretty') as typeof import('pino-pretty');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigValidationError(
      'Invalid configuration:\n  - LOG_FORMAT=pretty needs pino-pretty, a devDependency (not installed here: the image has production dependencies only); unset LOG_FORMAT for JSON logs',
    );
  }
}

/**
 * The process's one pino logger: JSON (human lines with LOG_FORMAT=pretty), service, version and
 * host on every line, secrets redacted.
 */
export function createRootLogger(
  config: { log: Pick<AppConfig['log'], 'level'> & Partial<Pick<AppConfig['log'], 'format'>> },
  destination: DestinationStream = createLogDestination([], { format: config.log.format }),
): Logger {
  return pino(
    {
      level: config.log.level,
      base: {
        service: SERVICE_NAME,
        version: SERVICE_VERSION,
        hostname: hostname(),
        pid: process.pid,
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
