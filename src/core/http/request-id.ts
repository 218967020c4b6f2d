import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SANE_REQUEST_ID } from '../logging/root-logger';

/**
 * A generated request id is this process's random prefix and a counter (`9f2c…e1-1a`): unique
 * across pods and restarts (64 random bits per process), ordered within a pod, and cheaper than a
 * UUID from the CSPRNG on every request. Request ids correlate log lines; they grant nothing.
 */
const REQUEST_ID_PREFIX = `${randomBytes(8).toString('hex')}-`;
let requestCount = 0;

/** The caller's `X-Request-Id` when it is sane (docs/logging.md), else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return newRequestId();
}

/** A request id of this server's making, never the caller's. */
export function newRequestId(): string {
  requestCount += 1;
  return REQUEST_ID_PREFIX + requestCount.toString(36);
}
