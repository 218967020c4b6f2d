import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppConfig } from '../../core/config/app-config';
import { underPressureNow } from '../../core/http/load-shedding';
import { ShutdownState } from '../../core/lifecycle/shutdown-state';
import { OpenSearchHealthIndicator } from '../log-search/opensearch.health';

const CHECKS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
  },
};
/** Terminus' report: overall status and each check's result. */
const REPORT = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: CHECKS,
    error: CHECKS,
    details: CHECKS,
  },
  required: ['status'],
};

/** Kubernetes probes. Liveness has no dependencies, so a database outage never restarts pods. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongoose: MongooseHealthIndicator,
    private readonly config: AppConfig,
    private readonly shutdown: ShutdownState,
    private readonly openSearch: OpenSearchHealthIndicator,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  @ApiOkResponse({
    description: 'The process serves HTTP',
    schema: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
    },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: the database answers a ping within the timeout, and the process is not ' +
      'shedding load (event-loop delay or heap above its threshold)',
  })
  @ApiOkResponse({ description: 'Ready: the health report', schema: REPORT })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (draining, shedding load, or the database down): the failing checks',
    schema: REPORT,
  })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    // Draining after SIGTERM, or shedding load: fail at once, without a database round trip, so
    // traffic moves away (liveness stays up: a restart would only move the load elsewhere).
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const down = this.shutdown.draining
      ? { shutdown: { status: 'down', message: 'shutting down' } }
      : underPressureNow(fastify)
        ? { load: { status: 'down', message: 'shedding load (event-loop delay or heap)' } }
        : null;
    if (down) {
      void reply
        .status(503)
        .header('cache-control', 'no-store')
        .send({ status: 'error', info: {}, error: down, details: down });
      return;
    }
    // OpenSearch is reported (degraded when unreachable) but never fails readiness.
    await this.report(reply, [this.database, () => this.openSearch.check()]);
  }

  @Get('startup')
  @ApiOperation({ summary: 'Startup: the service finished booting and reached its database' })
  @ApiOkResponse({ description: 'Ready: the health report', schema: REPORT })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (or draining): the health report with the failing checks',
    schema: REPORT,
  })
  async startup(@Res() reply: FastifyReply): Promise<void> {
    await this.report(reply, [this.database]);
  }

  private readonly database: HealthIndicatorFunction = () =>
    this.mongoose.pingCheck('database', { timeout: this.config.mongo.healthTimeoutMs });

  /** Terminus reports failure by throwing; probes want the report itself with a 503. */
  private async report(reply: FastifyReply, checks: HealthIndicatorFunction[]): Promise<void> {
    let result: HealthCheckResult;
    let status = 200;
    try {
      result = await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
      status = 503;
    }
    void reply.status(status).header('cache-control', 'no-store').send(result);
  }
}
