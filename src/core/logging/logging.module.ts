import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * nestjs-pino bound to the process's root logger. pino-http only carries the request id into
 * log lines written while handling a request; the one access line per request is written by a
 * Fastify onResponse hook (see app.factory.ts), which knows the matched route.
 */
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: false,
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            genReqId: (req) => (req as { id?: string }).id ?? '',
          },
          // With Fastify the middleware must be bound to every path explicitly, or it never runs.
          forRoutes: [{ path: '/{*path}', method: RequestMethod.ALL }],
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [LoggerModule, ROOT_LOGGER],
    };
  }
}
