import { getConnectionToken } from '@nestjs/mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/core/config/app-config';
import type { LogShipper } from '../../src/core/logging/log-shipper';
import { createRootLogger } from '../../src/core/logging/root-logger';
import { createLogShipper } from '../../src/modules/log-search/log-shipping';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/** A database name of its own for each test file, so files can run in parallel. */
export function isolatedMongoUri(base = process.env.MONGODB_URI): string {
  if (!base)
    throw new Error(
      'MONGODB_URI is not set: run the e2e tests through `npm test` (it starts the stack)',
    );
  const url = new URL(base);
  url.pathname = `/e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Set when started with `shipLogs`. */
  logShipper?: LogShipper;
  close(): Promise<void>;
}

export interface StartAppOptions {
  /**
   * Log through the real root logger into the in-app shipper (OPENSEARCH_URL required), as a
   * local run with the stack's settings does; nothing goes to stdout. `logger` is then unused.
   */
  shipLogs?: boolean;
  /** Runs after the app is built and before its routes are registered (e.g. an onRoute hook). */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/** Boots the whole service in-process against the real local stack. */
export async function startApp(
  overrides: Record<string, string> = {},
  logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  options: StartAppOptions = {},
): Promise<TestApp> {
  const config = AppConfig.fromEnvironment({
    ...process.env,
    NODE_ENV: 'test',
    MONGODB_URI: isolatedMongoUri(),
    ADMIN_TOKEN,
    LOG_SHIPPER_ENABLED: options.shipLogs ? 'true' : 'false',
    // Test files run in parallel: no fixed metrics port (metrics e2e pick a free one).
    METRICS_PORT: '0',
    // Read-after-write on public endpoints and invalidations as soon as the batch window allows:
    // what most specs assert. The cache and the settle delay have specs of their own
    // (test/public-cache.e2e-spec.ts, test/edge-ordering.e2e-spec.ts) that turn them on.
    PUBLIC_CACHE_TTL_MS: '0',
    CDN_INVALIDATION_SETTLE_MS: '0',
    MONGODB_REPLICA_LAG_ALLOWANCE_MS: '0',
    // Test processes share a few cores: event-loop load shedding would make unrelated tests
    // flaky. health.e2e-spec turns it on for its own app.
    LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...overrides,
  });
  const logShipper = options.shipLogs ? createLogShipper(config) : undefined;
  if (options.shipLogs && !logShipper) throw new Error('shipLogs needs OPENSEARCH_URL');
  const app = await createApp(
    config,
    logShipper ? { logger: createRootLogger(config, logShipper), logShipper } : { logger },
  );
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    logShipper,
    async close() {
      const connection = app.get<Connection>(getConnectionToken());
      await connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}
