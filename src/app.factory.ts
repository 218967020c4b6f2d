import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { AllExceptionsFilter } from './core/errors/all-exceptions.filter';
import { createValidationPipe } from './core/errors/validation';
import { registerLoadShedding } from './core/http/load-shedding';
import type { LogShipper } from './core/logging/log-shipper';
import {
  createLogDestination,
  createRootLogger,
  SANE_REQUEST_ID,
} from './core/logging/root-logger';
import { registerHttpMetrics } from './core/metrics/http-metrics';
import { setupSwagger } from './core/openapi/openapi';
import { createLogShipper } from './modules/log-search/log-shipping';

export interface CreateAppOptions {
  logger?: Logger;
  /** The in-app log shipper fed by `logger`; by default made from config when no logger is given. */
  logShipper?: LogShipper;
  /** Build the module graph without instantiating providers (no database): for the OpenAPI file. */
  preview?: boolean;
}

function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logShipper =
    options.logShipper ??
    (options.logger || options.preview ? undefined : createLogShipper(config));
  const logger =
    options.logger ??
    createRootLogger(config, createLogDestination(logShipper ? [logShipper] : []));
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: requestIdOf,
    requestIdHeader: false,
    return503OnClosing: true,
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, logShipper),
    adapter,
    {
      bufferLogs: true,
      preview: options.preview,
      abortOnError: false,
    },
  );
  if (!options.preview) app.useLogger(app.get(NestPinoLogger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  const fastify = app.getHttpAdapter().getInstance();
  registerHttpMetrics(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // Load shedding right after the request id: a shed request costs no further work.
  if (!options.preview) await registerLoadShedding(fastify, config.loadShedding);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/admin/') && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    logger.info(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: request.url,
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
  setupSwagger(app);
  return app;
}
