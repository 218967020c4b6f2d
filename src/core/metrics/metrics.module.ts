import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { DbMetricsSubscriber } from './db-metrics.subscriber';
import { MetricsServer } from './metrics.server';

/**
 * Process metrics (CPU, memory, GC, event-loop lag as `nodejs_eventloop_lag_seconds`, ...) once
 * per process: a second app in the same process (tests) must not register them twice.
 */
export function ensureDefaultMetrics(): void {
  if (register.getSingleMetric('nodejs_eventloop_lag_seconds')) return;
  collectDefaultMetrics();
}

/**
 * Prometheus metrics on their own port. HTTP request metrics are Fastify hooks installed by
 * createApp (http-metrics.ts); other modules declare theirs with the registry.ts helpers.
 */
@Global()
@Module({
  providers: [MetricsServer, DbMetricsSubscriber],
  exports: [MetricsServer],
})
export class MetricsModule {
  constructor() {
    ensureDefaultMetrics();
  }
}
