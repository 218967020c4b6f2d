import 'reflect-metadata';
import { createApp } from './app.factory';
import { AppConfig } from './core/config/app-config';
import { ConfigValidationError } from './core/config/environment.schema';
import { installFatalErrorHandlers } from './core/lifecycle/fatal-errors';
import { GracefulShutdown } from './core/lifecycle/graceful-shutdown';
import { ShutdownState } from './core/lifecycle/shutdown-state';
import { createLogDestination, createRootLogger } from './core/logging/root-logger';
import { createLogShipper } from './modules/log-search/log-shipping';

/** A setting that cannot work stops the process with a message naming it, before any log line. */
function orExitOnBadConfig<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = orExitOnBadConfig(() => AppConfig.fromEnvironment());
  const logShipper = createLogShipper(config);
  const logger = orExitOnBadConfig(() =>
    createRootLogger(
      config,
      createLogDestination(logShipper ? [logShipper] : [], { format: config.log.format }),
    ),
  );
  // From here on a crash is logged as fatal and the buffered lines are written before exit 1.
  installFatalErrorHandlers(logger);
  const app = await createApp(config, { logger, logShipper });
  // Replaces app.enableShutdownHooks(): fail readiness, drain, close, flush logs, exit.
  new GracefulShutdown(app, {
    state: app.get(ShutdownState),
    logger,
    drainDelayMs: config.http.shutdownDrainDelayMs,
    graceMs: config.http.shutdownGraceMs,
  }).install();
  await app.listen({ port: config.http.port, host: config.http.host });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Fatal start-up error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
