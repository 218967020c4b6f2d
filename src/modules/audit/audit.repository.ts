import { Injectable, OnModuleInit } from '@nestjs/common';
import { legacyActorId } from '../../core/auth/identity';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../../core/database/mongo-errors';
import type { AuditAction, AuditEntry } from './audit-entry';
import { AUDIT_EVENT_MODEL } from './schemas/audit-event.schema';
import { SchemaSetup } from '../../core/database/schema-setup';

type AuditEventRecord = Omit<AuditEntry, 'id'> & { _id: string; intent?: boolean };

export interface AuditFilter {
  actor?: string;
  pageId?: string;
  action?: AuditAction;
  from?: Date;
  to?: Date;
}

/** Position of the last event of a page: its time and id (ties on `at` broken by id). */
export type AuditPosition = [atMs: number, id: string];

/**
 * The only code that touches `audit_events`. Append-only: events are inserted once and never
 * changed, except that a write-ahead intent is confirmed (flag dropped) or discarded.
 */
@Injectable()
export class AuditRepository implements OnModuleInit {
  constructor(
    @InjectModel(AUDIT_EVENT_MODEL) private readonly events: Model<AuditEventRecord>,
    private readonly schema: SchemaSetup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ensureIndexes(this.events);
  }

  /** Idempotent by entry id: a plain insert, whose duplicate-key error FerretDB reports too. */
  async insert(entry: AuditEntry, intent = false): Promise<void> {
    const { id, ...fields } = entry;
    try {
      await this.events.insertMany([{ _id: id, ...fields, ...(intent ? { intent: true } : {}) }]);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * A counted row (refusals): inserted with count 1, or, when it exists (a duplicate key, which
   * an insert reports on FerretDB too), counted up. `$inc` is one single-document update; on
   * FerretDB, whose updates are not atomic, two racing refusals may count once: a count is a
   * measure of volume, not an invoice.
   */
  async countRefusal(entry: AuditEntry): Promise<void> {
    const { id, ...fields } = entry;
    try {
      await this.events.insertMany([{ _id: id, ...fields }]);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.events
        .updateOne({ _id: id }, { $inc: { count: 1 }, $max: { lastAt: entry.lastAt } })
        .exec();
    }
  }

  async confirmIntent(id: string): Promise<void> {
    await this.events.updateOne({ _id: id, intent: true }, { $unset: { intent: 1 } }).exec();
  }

  async discardIntent(id: string): Promise<void> {
    await this.events.deleteOne({ _id: id, intent: true }).exec();
  }

  async intentsBefore(before: Date, limit: number): Promise<AuditEntry[]> {
    const rows = await this.events
      .find({ intent: true, at: { $lt: before } })
      .sort({ at: 1 })
      .limit(limit)
      .read('primary')
      .lean<AuditEventRecord[]>()
      .exec();
    return rows.map(toEntry);
  }

  /** Newest first, after `after`; one extra row says there is more. Admin read: the primary. */
  async list(
    filter: AuditFilter,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<AuditEntry[]> {
    const and: Record<string, unknown>[] = [{ intent: { $ne: true } }];
    if (filter.actor) {
      // Rows written before actor ids were qualified carry the bare id: found too, on the index.
      const legacy = legacyActorId(filter.actor);
      and.push({ 'actor.id': legacy ? { $in: [filter.actor, legacy] } : filter.actor });
    }
    if (filter.pageId) and.push({ 'page.id': filter.pageId.toLowerCase() });
    if (filter.action) and.push({ action: filter.action });
    if (filter.from) and.push({ at: { $gte: filter.from } });
    if (filter.to) and.push({ at: { $lte: filter.to } });
    if (after) {
      const at = new Date(after[0]);
      and.push({ $or: [{ at: { $lt: at } }, { at, _id: { $lt: after[1] } }] });
    }
    const rows = await this.events
      .find({ $and: and })
      .sort({ at: -1, _id: -1 })
      .limit(limit + 1)
      .read('primary')
      .lean<AuditEventRecord[]>()
      .exec();
    return rows.map(toEntry);
  }
}

function toEntry({ _id, intent: _intent, ...fields }: AuditEventRecord): AuditEntry {
  return { id: _id, ...fields };
}
