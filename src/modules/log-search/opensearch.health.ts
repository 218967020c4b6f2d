import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { LogRepository } from './log.repository';

/**
 * Readiness reports OpenSearch as `degraded` when it is unreachable, never `down`: log search is
 * an admin tool, and pulling every pod out of the load balancer for it would take the public API
 * down with it. Not reported at all when OpenSearch is not configured.
 */
@Injectable()
export class OpenSearchHealthIndicator {
  constructor(@Inject(LogRepository) private readonly logs: LogRepository) {}

  async check(key = 'opensearch'): Promise<HealthIndicatorResult> {
    if (!this.logs.configured) return {};
    const { up, message } = await this.logs.ping();
    return { [key]: { status: up ? 'up' : 'degraded', message } };
  }
}
