import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AuditEntry } from '../audit/audit-entry';
import type { AuditOutboxSource } from '../audit/audit-outbox';
import { AuditService } from '../audit/audit.service';
import { PagesRepository } from './pages.repository';

/**
 * The pages' side of the audit guarantee. Every page write pushes its audit entry into the page
 * document in the same single-document update (no multi-document transactions on DocumentDB or
 * FerretDB), so after a crash a change without its entry cannot exist: the entry is either
 * delivered to `audit_events` already or still in the page, where the drain loop of any replica
 * finds it (indexed on `auditOutbox.at`) and delivers it — idempotently, keyed by the entry id.
 * A deletion cannot ride in the document it removes: it writes its entry ahead as an intent
 * keyed by page id + version, and the intent is confirmed once the page is gone, or discarded
 * when the page is still at that version after the grace period (the delete never happened).
 */
@Injectable()
export class PageAuditOutbox implements AuditOutboxSource, OnModuleInit {
  readonly name = 'pages';
  readonly intentActions = ['page.deleted'] as const;

  constructor(
    private readonly repo: PagesRepository,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.audit.register(this);
  }

  pending(before: Date, limit: number): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    return this.repo.pendingAuditEntries(before, limit);
  }

  acknowledge(ownerId: string, entry: AuditEntry): Promise<void> {
    return this.repo.removeAuditEntry(ownerId, entry);
  }

  async resolveIntent(entry: AuditEntry): Promise<'confirm' | 'discard' | 'wait'> {
    if (!entry.page) return 'discard';
    const version = await this.repo.currentVersion(entry.page.id);
    if (version === null) return 'confirm';
    // Still there: at the version the delete was for means it failed; moved on means the
    // version check refused it. Either way the page was not deleted by this request.
    return 'discard';
  }

  /** Delivers an entry this page already carries (the request's inline path). */
  deliver(pageId: string, entry: AuditEntry): Promise<void> {
    return this.audit.deliver(this, pageId, entry);
  }
}
