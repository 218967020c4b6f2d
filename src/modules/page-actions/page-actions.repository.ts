import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { AuditEntry } from '../audit/audit-entry';
import { isDuplicateKey } from '../../core/database/mongo-errors';
import { PRIMARY } from '../../core/database/read-preference';
import { PAGE_ACTION_MODEL, PAGE_ACTION_TOKEN_MODEL } from './schemas/page-action.schema';
import {
  OPEN_STATUSES,
  type ActionStatus,
  type PageActionRecord,
} from './schemas/page-action.types';
import { SchemaSetup } from '../../core/database/schema-setup';

interface TokenRecord {
  _id: string;
  owner: string;
  createdAt: Date;
}

/** The owner name a cancellation takes a lease generation under. */
export const CANCEL_OWNER = 'cancel';

export interface ListCursor {
  at: number;
  id: string;
}

/**
 * The only code that touches `page_actions` and its claim tokens. Every read that decides a
 * write goes to the primary; each write is one single-document update or an insert.
 */
@Injectable()
export class PageActionsRepository implements OnModuleInit {
  constructor(
    @InjectModel(PAGE_ACTION_MODEL) private readonly actions: Model<PageActionRecord>,
    @InjectModel(PAGE_ACTION_TOKEN_MODEL) private readonly tokens: Model<TokenRecord>,
    private readonly schema: SchemaSetup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ensureIndexes(this.actions);
    await this.schema.ensureIndexes(this.tokens);
  }

  /**
   * The database's clock, so that due times and leases mean the same on every replica however
   * their clocks drift: one `hello` (or, where that is unknown, `isMaster`) round trip, its
   * `localTime` corrected by half the trip. A server that reports no time leaves the replica's
   * own clock, whose skew NTP keeps far below the lease (correctness never depends on it).
   */
  async databaseNow(): Promise<Date> {
    const admin = this.actions.db.db!.admin();
    const sent = Date.now();
    const reply = (await admin
      .command({ hello: 1 })
      .catch(() => admin.command({ isMaster: 1 }))) as { localTime?: unknown };
    const received = Date.now();
    if (!(reply.localTime instanceof Date)) return new Date(received);
    return new Date(reply.localTime.getTime() + (received - sent) / 2);
  }

  /** 'duplicate': the id or the page's instant is taken. */
  async insert(action: PageActionRecord): Promise<'inserted' | 'duplicate'> {
    try {
      await this.actions.insertMany([action], { lean: true, rawResult: false });
      return 'inserted';
    } catch (error) {
      if (isDuplicateKey(error)) return 'duplicate';
      throw error;
    }
  }

  async findById(id: string): Promise<PageActionRecord | null> {
    return this.actions.findById(id).read(PRIMARY).lean<PageActionRecord>().exec();
  }

  /** A page's actions in time order, optionally within [from, to). One extra row. */
  async listForPage(
    pageId: string,
    window: { from?: Date; to?: Date },
    after: ListCursor | undefined,
    limit: number,
  ): Promise<PageActionRecord[]> {
    return this.actions
      .find({ pageId, ...timeFilter(window, after) })
      .sort({ at: 1, _id: 1 })
      .limit(limit + 1)
      .read(PRIMARY)
      .lean<PageActionRecord[]>()
      .exec();
  }

  /** Open actions of every page in time order, optionally within [from, to). One extra row. */
  async listOpen(
    window: { from?: Date; to?: Date },
    after: ListCursor | undefined,
    limit: number,
  ): Promise<PageActionRecord[]> {
    return this.actions
      .find({ status: { $in: OPEN_STATUSES }, ...timeFilter(window, after) })
      .sort({ at: 1, _id: 1 })
      .limit(limit + 1)
      .read(PRIMARY)
      .lean<PageActionRecord[]>()
      .exec();
  }

  /** Open actions due by `now`, oldest first (leases are checked by the caller). */
  async due(now: Date, limit: number): Promise<PageActionRecord[]> {
    return this.actions
      .find({ status: { $in: OPEN_STATUSES }, at: { $lte: now } })
      .sort({ at: 1, _id: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<PageActionRecord[]>()
      .exec();
  }

  /** The page's open actions in time order (few: a page has a handful scheduled at most). */
  async openOfPage(pageId: string, limit = 100): Promise<PageActionRecord[]> {
    return this.actions
      .find({ pageId, status: { $in: OPEN_STATUSES } })
      .sort({ at: 1, _id: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<PageActionRecord[]>()
      .exec();
  }

  /** Due-but-not-run actions and the time of the oldest of them. */
  async dueStats(now: Date): Promise<{ due: number; oldestAt: Date | null }> {
    const filter = { status: { $in: OPEN_STATUSES }, at: { $lte: now } };
    const [due, oldest] = await Promise.all([
      this.actions.countDocuments(filter).read(PRIMARY).exec(),
      this.actions
        .findOne(filter, { at: 1 })
        .sort({ at: 1, _id: 1 })
        .read(PRIMARY)
        .lean<Pick<PageActionRecord, 'at'>>()
        .exec(),
    ]);
    return { due, oldestAt: oldest?.at ?? null };
  }

  // --- claims -------------------------------------------------------------------------------

  /** True if this caller created the token (won the claim). */
  async takeToken(id: string, owner: string, now: Date): Promise<boolean> {
    try {
      await this.tokens.insertMany([{ _id: id, owner, createdAt: now }]);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async findToken(id: string): Promise<TokenRecord | null> {
    return this.tokens.findById(id).read(PRIMARY).lean<TokenRecord>().exec();
  }

  async pruneTokens(before: Date): Promise<void> {
    await this.tokens.deleteMany({ createdAt: { $lt: before } }).exec();
  }

  /** Records a won lease generation on the action, then re-reads it. */
  async recordLease(
    id: string,
    leaseGen: number,
    owner: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<PageActionRecord | null> {
    await this.actions
      .updateOne(
        { _id: id, status: { $in: OPEN_STATUSES }, leaseGen: { $lt: leaseGen } },
        { $set: { status: 'running', leaseGen, leaseOwner: owner, leaseUntil, updatedAt: now } },
      )
      .exec();
    return this.findById(id);
  }

  /** Updates the action only while `leaseGen` still holds it: false when the lease was lost. */
  async updateLeased(
    id: string,
    leaseGen: number,
    set: Partial<PageActionRecord>,
  ): Promise<boolean> {
    const result = await this.actions
      .updateOne({ _id: id, leaseGen, status: 'running' }, { $set: set })
      .exec();
    return result.matchedCount === 1;
  }

  /**
   * After its cancellation won the lease generation: the action is cancelled, its slot freed,
   * and the cancellation's audit entry carried in the same update. False if it already was.
   */
  async markCancelled(
    action: PageActionRecord,
    leaseGen: number,
    now: Date,
    audit?: AuditEntry,
  ): Promise<boolean> {
    const result = await this.actions
      .updateOne(
        { _id: action._id, status: 'scheduled' },
        {
          $set: {
            status: 'cancelled' satisfies ActionStatus,
            leaseGen,
            slot: `${action.slot}:cancelled:${action._id}`,
            ranAt: now,
            updatedAt: now,
          },
          ...(audit ? { $push: { auditOutbox: audit } } : {}),
        },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  async pendingAuditEntries(
    before: Date,
    limit: number,
  ): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    const rows = await this.actions
      .find({ 'auditOutbox.at': { $lt: before } }, { auditOutbox: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<Pick<PageActionRecord, '_id' | 'auditOutbox'>[]>()
      .exec();
    return rows.map((r) => ({ ownerId: r._id, entries: r.auditOutbox ?? [] }));
  }

  async removeAuditEntry(ownerId: string, entry: AuditEntry): Promise<void> {
    await this.actions.updateOne({ _id: ownerId }, { $pull: { auditOutbox: entry } }).exec();
  }

  /** Shutdown: this replica's running actions may be taken over at once. */
  async releaseLeases(owner: string): Promise<void> {
    await this.actions
      .updateMany({ status: 'running', leaseOwner: owner }, { $set: { leaseUntil: null } })
      .exec();
  }
}

function timeFilter(
  window: { from?: Date; to?: Date },
  after: ListCursor | undefined,
): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  if (window.from) parts.push({ at: { $gte: window.from } });
  if (window.to) parts.push({ at: { $lt: window.to } });
  if (after)
    parts.push({
      $or: [
        { at: { $gt: new Date(after.at) } },
        { at: new Date(after.at), _id: { $gt: after.id } },
      ],
    });
  return parts.length > 0 ? { $and: parts } : {};
}
