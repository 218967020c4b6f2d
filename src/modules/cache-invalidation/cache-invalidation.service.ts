import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { type CursorPage, decodeCursor, isObjectIdHex, paginate } from '../../core/http/cursor';
import type { RequestContext } from '../../core/http/request-context';
import { auditEntry } from '../audit/audit-entry';
import { AuditService } from '../audit/audit.service';
import { PageOutbox } from '../pages/page-outbox';
import { CacheInvalidationRepository } from './cache-invalidation.repository';
import {
  clearInvalidationStatsSource,
  invalidationMetrics,
  setInvalidationStatsSource,
  type InvalidationBacklog,
} from './cache-invalidation.metrics';
import { CloudFrontGateway } from './cloudfront.gateway';
import type { InvalidationRecord, InvalidationStatus } from './schemas/invalidation.types';

/** Admin operations on invalidations, and the backlog figures behind the metrics. */
@Injectable()
export class CacheInvalidationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidationService.name);
  /** What the worker saw at its last poll; scrapes read this instead of the database. */
  private observed: (Measured & { at: number }) | null = null;
  private readonly freshForMs: number;
  private readonly statsSource = () => this.currentBacklog();

  constructor(
    private readonly repo: CacheInvalidationRepository,
    private readonly outbox: PageOutbox,
    private readonly cloudFront: CloudFrontGateway,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    // A few missed polls and the snapshot is no longer trusted (worker off, stuck or slow).
    this.freshForMs = 3 * config.cdnInvalidation.pollMs + 5_000;
  }

  onApplicationBootstrap(): void {
    invalidationMetrics(); // registered at start, so /metrics shows them before the first send
    setInvalidationStatsSource(this.statsSource);
  }

  onApplicationShutdown(): void {
    clearInvalidationStatsSource(this.statsSource);
  }

  /** Records a manual invalidation; the worker sends it like any other (202: not sent yet). */
  async create(paths: string[], ctx: RequestContext): Promise<InvalidationRecord> {
    const now = new Date();
    const record = await this.repo.insertItem({
      _id: new Types.ObjectId().toHexString(),
      source: 'admin',
      reason: 'manual',
      requestId: ctx.requestId,
      paths: [...new Set(paths)].sort(),
      status: this.cloudFront.configured ? 'pending' : 'skipped',
      batchId: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    });
    this.logger.log(
      {
        audit: {
          action: 'cdn.invalidation.requested',
          actor: ctx.actor,
          invalidationId: record._id,
        },
        requestId: ctx.requestId,
        paths: record.paths,
      },
      'cdn.invalidation.requested',
    );
    await this.audit.record(
      auditEntry(ctx, {
        action: 'cdn.invalidation.requested',
        target: { type: 'invalidation', id: record._id },
        details: { paths: record.paths },
      }),
    );
    return record;
  }

  async get(id: string): Promise<InvalidationRecord> {
    const record = await this.repo.findItem(id);
    if (!record) throw notFound(id);
    return record;
  }

  async list(
    status: InvalidationStatus | undefined,
    limit: number,
    cursor?: string,
  ): Promise<CursorPage<InvalidationRecord>> {
    const before = cursor ? decodeCursor(cursor, isObjectIdHex) : undefined;
    const rows = await this.repo.listItems(status, before, limit);
    return paginate(rows, limit, (last) => last._id);
  }

  /** Sends a failed (or skipped) invalidation again, as a new request of its own. */
  async retry(id: string, ctx: RequestContext): Promise<InvalidationRecord> {
    const requeued = await this.repo.requeueItem(id, new Date());
    if (!requeued) {
      const current = await this.get(id);
      throw new DomainError(
        ErrorCode.InvalidState,
        `invalidation is ${current.status}; only failed or skipped ones can be retried`,
      );
    }
    this.logger.log(
      {
        audit: { action: 'cdn.invalidation.retried', actor: ctx.actor, invalidationId: id },
        requestId: ctx.requestId,
        originalRequestId: requeued.requestId,
      },
      'cdn.invalidation.retried',
    );
    await this.audit.record(
      auditEntry(ctx, {
        action: 'cdn.invalidation.retried',
        target: { type: 'invalidation', id },
        details: { originalRequestId: requeued.requestId },
      }),
    );
    return requeued;
  }

  /** Called by the worker at the end of each poll: the backlog as it stands, for the gauges. */
  async observeBacklog(): Promise<void> {
    this.observed = { ...(await this.measure()), at: Date.now() };
  }

  /**
   * The gauges' source: the worker's last observation while it is fresh (no database work per
   * scrape), else a measurement (a replica whose worker is off): indexed queries only.
   */
  async currentBacklog(now = new Date()): Promise<InvalidationBacklog> {
    const seen =
      this.observed && now.getTime() - this.observed.at < this.freshForMs
        ? this.observed
        : await this.measure();
    return {
      backlog: seen.backlog,
      oldestPendingAgeSeconds:
        seen.oldestAt === null ? 0 : Math.max(0, (now.getTime() - seen.oldestAt) / 1000),
      inProgress: seen.inProgress,
    };
  }

  /** Not yet accepted by CloudFront: pending and in-progress items plus un-ingested outbox entries. */
  private async measure(): Promise<Measured> {
    const open: InvalidationStatus[] = ['pending', 'in-progress'];
    const distributionId = this.cloudFront.distributionId;
    const [count, oldest, pages, inProgress] = await Promise.all([
      this.repo.countItems(open),
      this.repo.oldestOpenItem(open),
      this.outbox.pending(1000),
      distributionId ? this.repo.inProgressCounts(distributionId, '') : null,
    ]);
    let backlog = count;
    let oldestAt = oldest?.createdAt.getTime() ?? Infinity;
    for (const page of pages) {
      backlog += page.entries.length;
      for (const entry of page.entries)
        oldestAt = Math.min(oldestAt, new Date(entry.createdAt).getTime());
    }
    return { backlog, oldestAt: oldestAt === Infinity ? null : oldestAt, inProgress };
  }
}

interface Measured {
  backlog: number;
  oldestAt: number | null;
  inProgress: InvalidationBacklog['inProgress'];
}

function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.InvalidationNotFound, `No invalidation with id "${id}"`);
}
