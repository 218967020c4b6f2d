import fastifyRateLimit from '@fastify/rate-limit';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { onSendHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { AllExceptionsFilter } from './core/errors/all-exceptions.filter';
import { registerMethodNotAllowed } from './core/errors/method-not-allowed';
import { createValidationPipe } from './core/errors/validation';
import { HotPathServer } from './core/http/fast-path/hot-path.server';
import { boundedJsonParser } from './core/http/json-body-parser';
import { registerLoadShedding, underPressureNow } from './core/http/load-shedding';
import { requestIdOf } from './core/http/request-id';
import { AccessLog } from './core/logging/access-log';
import type { LogShipper } from './core/logging/log-shipper';
import { PinoNestLogger } from './core/logging/nest-logger';
import { registerRequestHooks } from './core/logging/request-hooks';
import { createLogDestination, createRootLogger } from './core/logging/root-logger';
import { registerDocsCompression, setupSwagger } from './core/openapi/openapi';
import { createLogShipper } from './modules/log-search/log-shipping';
import { PublicReadFastPaths } from './modules/pages/public-read/public-read.fast-path';

export interface CreateAppOptions {
  logger?: Logger;
  /** The in-app log shipper fed by `logger`; by default made from config when no logger is given. */
  logShipper?: LogShipper;
  /** Build the module graph without instantiating providers (no database): for the OpenAPI file. */
  preview?: boolean;
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
    createRootLogger(
      config,
      createLogDestination(logShipper ? [logShipper] : [], { format: config.log.format }),
    );
  // Fresh cache hits of the public page and list reads are answered before Fastify.
  const hotPath = new HotPathServer(new AccessLog(logger));
  const adapter = new FastifyAdapter({
    serverFactory: hotPath.serverFactory,
    bodyLimit: config.http.bodyLimitBytes,
    genReqId: requestIdOf,
    // No Nest middleware is used: without @fastify/middie no request runs its (empty) hook.
    skipMiddie: true,
    requestIdHeader: false,
    return503OnClosing: true,
    // Fastify's router answers a path parameter over 100 characters with its own 414, in its own
    // error shape and before any of ours: let the route refuse it (404 for an id or slug that
    // cannot exist) with the documented error. The whole URL stays bounded by Node's header limit.
    routerOptions: { maxParamLength: 8192 },
    // X-Forwarded-For only from the configured proxies (the ingress); else the peer is the client.
    trustProxy: config.auth.trustedProxies,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, logShipper),
    adapter,
    {
      bufferLogs: true,
      preview: options.preview,
      abortOnError: false,
      // Nest's default parsers (JSON, and urlencoded forms the API does not take) are replaced
      // by the one bounded JSON parser below.
      bodyParser: false,
    },
  );
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.http.bodyLimitBytes },
    boundedJsonParser(app.getHttpAdapter().getInstance()),
  );
  if (!options.preview) app.useLogger(app.get(PinoNestLogger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  const fastify = app.getHttpAdapter().getInstance();
  // Programmatic limiters only (global: false): AccessGuard counts failed authentications.
  await app.register(fastifyRateLimit, { global: false });
  registerRequestHooks(fastify, logger);
  // Load shedding right after the request id: a shed request costs no further work.
  if (!options.preview) await registerLoadShedding(fastify, config.loadShedding);
  registerMethodNotAllowed(fastify);
  if (!options.preview) {
    // Fastify answers 503 once it is closing (return503OnClosing) and sheds load in a hook: the
    // hot path steps aside for both, so those answers stay Fastify's.
    let closing = false;
    fastify.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    hotPath.use(app.get(PublicReadFastPaths).routes, () => !closing && !underPressureNow(fastify));
  }
  await registerDocsCompression(app);
  // No cache keeps an admin response (unless its route set its own cache-control): a hook on the
  // /admin routes alone, so the public reads do not run it. Errors get no-store from their filter.
  const noStore: onSendHookHandler = (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  };
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith('/admin/')) route.onSend = [...[route.onSend ?? []].flat(), noStore];
  });
  setupSwagger(app);
  return app;
}
