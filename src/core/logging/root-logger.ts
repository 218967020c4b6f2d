import { hostname } from 'node:os';
import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

export const SERVICE_NAME = 'sponsored-agents';
export const SERVICE_VERSION = process.env.npm_package_version ?? '0.1.0';

/** Header values we accept as a request id; anything else gets a fresh UUID. */
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

/**
 * stdout, written asynchronously so that logging stays off the request's hot path.
 * `extraStreams` lets an in-app shipper receive the same records.
 */
export function createLogDestination(extraStreams: DestinationStream[] = []): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: false });
  if (extraStreams.length === 0) return stdout;
  // Each multistream entry defaults to level info; the logger's own level is the only filter.
  return pino.multistream(
    [stdout, ...extraStreams].map((stream) => ({ stream, level: 'trace' as const })),
  );
}

/** The process's one pino logger: JSON, service/version/host on every line, secrets redacted. */
export function createRootLogger(
  config: Pick<AppConfig, 'log'>,
  destination: DestinationStream = createLogDestination(),
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
