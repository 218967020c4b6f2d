import type { AuditEntry } from './audit-entry';

/**
 * A collection whose documents carry their own audit entries until delivered. The owner (pages,
 * api_tokens) pushes the entry in the same single-document update as the change, so the change
 * and its audit entry are stored or lost together; delivery to `audit_events` and acknowledging
 * (removing the entry from the owner) happen afterwards, inline and again from the drain loop.
 */
export interface AuditOutboxSource {
  readonly name: string;
  /** Undelivered entries written before `before`, grouped by owner document. */
  pending(before: Date, limit: number): Promise<{ ownerId: string; entries: AuditEntry[] }[]>;
  acknowledge(ownerId: string, entry: AuditEntry): Promise<void>;
  /**
   * For write-ahead intents (changes that delete their owner document, which then cannot carry
   * the entry): did the change happen (`confirm`), certainly not (`discard`), or not known yet?
   */
  resolveIntent?(entry: AuditEntry): Promise<'confirm' | 'discard' | 'wait'>;
  readonly intentActions?: readonly string[];
}
