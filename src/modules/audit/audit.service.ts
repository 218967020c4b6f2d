import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../core/config/app-config';
import { type CursorPage, decodeCursor, paginate } from '../../core/http/cursor';
import type { AuditEntry } from './audit-entry';
import type { AuditOutboxSource } from './audit-outbox';
import { type AuditFilter, type AuditPosition, AuditRepository } from './audit.repository';

const isPosition = (v: unknown): v is AuditPosition =>
  Array.isArray(v) &&
  v.length === 2 &&
  Number.isSafeInteger(v[0]) &&
  typeof v[1] === 'string' &&
  /^[0-9a-f]{24}$/.test(v[1]);

/** Refusals of one actor on one route within this window share one audit row. */
const REFUSAL_WINDOW_MS = 60_000;
/** Entries younger than this are left to the request that wrote them (it delivers them inline). */
const INLINE_GRACE_MS = 2000;
/** A write-ahead intent this old is resolved against its owner (the delete has surely finished). */
const INTENT_GRACE_MS = 30000;

/**
 * The audit trail: delivery of carried entries (inline and by a drain loop on every replica;
 * idempotent, so replicas need no coordination) and the admin query.
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly sources: AuditOutboxSource[] = [];
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;

  constructor(
    private readonly repo: AuditRepository,
    private readonly config: AppConfig,
  ) {}

  register(source: AuditOutboxSource): void {
    this.sources.push(source);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.draining ??= this.drain()
        .then(() => undefined)
        .finally(() => (this.draining = undefined));
    }, this.config.audit.drainIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.draining;
  }

  /** Stores an event that has no owner document to ride in. */
  async record(entry: AuditEntry): Promise<void> {
    await this.repo.insert(entry);
  }

  /**
   * Stores a refused request, bounded: one row per actor, route (`target.id`) and minute, whose
   * `count` grows with each refusal (`at` and the request id are the first one's, `lastAt` the
   * latest). The row's id is derived from that key, so every replica counts into the same row.
   */
  async recordRefusal(entry: AuditEntry): Promise<void> {
    const at = new Date(entry.at);
    const windowStart = Math.floor(at.getTime() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS;
    const id = createHash('sha256')
      .update(`${entry.actor.id}\n${entry.target?.id ?? ''}\n${windowStart}`)
      .digest('hex')
      .slice(0, 24);
    await this.repo.countRefusal({ ...entry, id, count: 1, lastAt: at });
  }

  /**
   * Delivers an entry its owner document already carries, then acknowledges it there. A failure
   * leaves it carried, for the drain loop: the change already happened and must not be undone.
   */
  async deliver(source: AuditOutboxSource, ownerId: string, entry: AuditEntry): Promise<void> {
    try {
      await this.repo.insert(entry);
      await source.acknowledge(ownerId, entry);
    } catch (error) {
      this.logger.warn({ err: error, auditId: entry.id }, 'audit entry left for the drain loop');
    }
  }

  /** Write-ahead half of a change that removes its owner document (see AuditOutboxSource). */
  intend(entry: AuditEntry): Promise<void> {
    return this.repo.insert(entry, true);
  }

  confirm(entry: AuditEntry): Promise<void> {
    return this.repo.confirmIntent(entry.id);
  }

  discard(entry: AuditEntry): Promise<void> {
    return this.repo.discardIntent(entry.id);
  }

  /** One pass over every source; exported for tests that simulate a crash mid-write. */
  async drain(now = new Date()): Promise<number> {
    let delivered = 0;
    for (const source of this.sources) {
      try {
        const owners = await source.pending(new Date(now.getTime() - INLINE_GRACE_MS), 100);
        for (const { ownerId, entries } of owners)
          for (const entry of entries) {
            await this.repo.insert(entry);
            await source.acknowledge(ownerId, entry);
            delivered++;
          }
        if (source.resolveIntent) delivered += await this.resolveIntents(source, now);
      } catch (error) {
        this.logger.warn({ err: error, source: source.name }, 'audit drain pass failed');
      }
    }
    return delivered;
  }

  private async resolveIntents(source: AuditOutboxSource, now: Date): Promise<number> {
    let resolved = 0;
    const intents = await this.repo.intentsBefore(new Date(now.getTime() - INTENT_GRACE_MS), 100);
    for (const intent of intents) {
      if (!source.intentActions?.includes(intent.action)) continue;
      const outcome = await source.resolveIntent!(intent);
      if (outcome === 'confirm') await this.repo.confirmIntent(intent.id);
      if (outcome === 'discard') await this.repo.discardIntent(intent.id);
      if (outcome !== 'wait') resolved++;
    }
    return resolved;
  }

  async list(filter: AuditFilter, limit: number, cursor?: string): Promise<CursorPage<AuditEntry>> {
    const after = cursor ? decodeCursor(cursor, isPosition) : undefined;
    const rows = await this.repo.list(filter, after, limit);
    return paginate(rows, limit, (last): AuditPosition => [new Date(last.at).getTime(), last.id]);
  }
}
