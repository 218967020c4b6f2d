import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { PinoNestLogger } from './nest-logger';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The process's root pino logger, and Nest's logger interface on it (PinoNestLogger, installed
 * by createApp with app.useLogger). The request id reaches log lines written inside a request
 * through requestScope; the one access line per request is written by the onResponse hook of
 * request-hooks.ts, which knows the matched route. (No pino-http: its per-request child logger
 * and request/response serialisation were most of the service's per-request cost.)
 */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(logger) },
      ],
      exports: [ROOT_LOGGER, PinoNestLogger],
    };
  }
}
