import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { currentRequestId } from './request-scope';

const PINO_LEVEL: Record<LogLevel, Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** Nest's exception handlers call `error(message, stack, context)`; we log the stack as `err`. */
function looksLikeStack(value: unknown): value is string {
  return typeof value === 'string' && /\n\s*at /.test(value);
}

/**
 * Nest's logger interface on the root pino logger, for `new Logger(Context).log(...)` calls and
 * Nest's own messages. Lines get `context` (the Logger's name) and, while a request is handled,
 * its `requestId` (from requestScope): the fields nestjs-pino gave them, without pino-http's
 * per-request child logger. An object first argument is merged into the line, an Error becomes
 * `err`, a string is the `msg`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(nestLevel: LogLevel, message: unknown, params: unknown[]): void {
    const level = PINO_LEVEL[nestLevel];
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const requestId = currentRequestId();
    if (requestId !== undefined) fields.requestId = requestId;
    // A Logger with a context passes it last (after an `undefined` when there was nothing else).
    let rest = params;
    if (params.length > 0) {
      const context = params[params.length - 1];
      if (typeof context === 'string') fields.context = context;
      rest = params.slice(0, -1).filter((p) => p !== undefined);
    }
    let msg: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      msg = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
    } else {
      msg = String(message);
    }
    if (nestLevel === 'error' && rest.length === 1 && looksLikeStack(rest[0])) {
      const err = new Error(msg);
      err.stack = rest[0];
      fields.err = err;
      rest = [];
    }
    if (msg === undefined && typeof rest[0] === 'string') msg = rest.shift() as string;
    if (rest.length > 0) fields.params = rest;
    this.logger[level](fields, msg);
  }
}
