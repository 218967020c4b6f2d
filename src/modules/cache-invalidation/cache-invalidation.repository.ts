import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKey } from '../../core/database/mongo-errors';
import { PRIMARY } from '../../core/database/read-preference';
import {
  CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS,
  CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS,
  countPaths,
  type PathCounts,
} from './cloudfront-paths';

/** Items one batch can hold at most: the planner never claims more candidates than this. */
export const MAX_BATCH_ITEMS = 1000;
import { BATCH_MODEL, INVALIDATION_MODEL, TOKEN_MODEL } from './schemas/invalidation.schema';
import type {
  BatchRecord,
  InvalidationRecord,
  InvalidationStatus,
} from './schemas/invalidation.types';
import { SchemaSetup } from '../../core/database/schema-setup';

/** An item's claim token: the item joins a batch in one generation of its life. */
export interface ItemClaim {
  id: string;
  generation: number;
}

/** The id of a claim's token: one per item generation, so one batch at most wins it. */
export const claimTokenId = (claim: ItemClaim): string => `item:${claim.id}:${claim.generation}`;

function byGeneration(claims: ItemClaim[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const c of claims) groups.set(c.generation, [...(groups.get(c.generation) ?? []), c.id]);
  return groups;
}

/** Items written before generations existed have none: that is generation 0. */
function inGeneration(generation: number): object {
  return generation === 0
    ? { $or: [{ generation: 0 }, { generation: { $exists: false } }] }
    : { generation };
}

/** The item statuses a batch's state may move an item from: forward only, never back. */
const SYNC_FROM: Record<InvalidationStatus, InvalidationStatus[]> = {
  pending: [],
  'in-progress': ['pending', 'in-progress'],
  sent: ['pending', 'in-progress', 'sent'],
  completed: ['pending', 'in-progress', 'sent'],
  failed: ['pending', 'in-progress'],
  skipped: [],
};

interface TokenRecord {
  _id: string;
  batchId?: string;
  owner?: string;
  createdAt: Date;
}

/**
 * The only code that touches the invalidation collections (page outboxes are reached through the
 * pages module's PageOutbox). Every write is a single-document atomic update or an idempotent
 * multi-document one (DocumentDB/FerretDB).
 */
@Injectable()
export class CacheInvalidationRepository implements OnModuleInit {
  constructor(
    @InjectModel(INVALIDATION_MODEL) private readonly items: Model<InvalidationRecord>,
    @InjectModel(BATCH_MODEL) private readonly batches: Model<BatchRecord>,
    @InjectModel(TOKEN_MODEL) private readonly tokens: Model<TokenRecord>,
    private readonly schema: SchemaSetup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ensureIndexes(this.items);
    await this.schema.ensureIndexes(this.batches);
    await this.schema.ensureIndexes(this.tokens);
  }

  // --- tokens: the atomic claims ------------------------------------------------------------

  /** True if this caller created the token (won the claim); false if it already existed. */
  async takeToken(
    id: string,
    fields: Omit<TokenRecord, '_id' | 'createdAt'> = {},
  ): Promise<boolean> {
    try {
      await this.tokens.insertMany([{ _id: id, ...fields, createdAt: new Date() }]);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** The items that won a place in the batch (their claim tokens name it), with the generation. */
  async claims(batchId: string): Promise<ItemClaim[]> {
    const rows = await this.tokens
      .find({ batchId }, { _id: 1 })
      .limit(MAX_BATCH_ITEMS)
      .read(PRIMARY)
      .lean<{ _id: string }[]>()
      .exec();
    return rows.map((r) => {
      const [, id, generation] = r._id.split(':');
      return { id, generation: Number(generation) };
    });
  }

  /**
   * For each item generation, the batch whose claim token was won (null: a token without a
   * batch), keyed by the token id `item:<id>:<generation>`; generations with no token are absent.
   */
  async claimsOf(claims: ItemClaim[]): Promise<Map<string, string | null>> {
    if (claims.length === 0) return new Map();
    const tokens = await this.tokens
      .find({ _id: { $in: claims.map(claimTokenId) } }, { batchId: 1 })
      .read(PRIMARY)
      .lean<{ _id: string; batchId?: string }[]>()
      .exec();
    return new Map(tokens.map((t) => [t._id, t.batchId ?? null]));
  }

  /** Old tokens only fence work long finished; dropping them keeps the collection small. */
  async pruneTokens(before: Date): Promise<void> {
    await this.tokens.deleteMany({ createdAt: { $lt: before } }).exec();
  }

  // --- invalidation items ------------------------------------------------------------------

  /** Idempotent: a second call for the same entry (another replica, a retry) changes nothing. */
  async upsertFromOutbox(record: InvalidationRecord): Promise<void> {
    const { _id, ...fields } = record;
    try {
      await this.items.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true }).exec();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  // --- invalidation items (the admin resource) ---------------------------------------------

  async insertItem(record: InvalidationRecord): Promise<InvalidationRecord> {
    await this.items.insertMany([record], { lean: true, rawResult: false });
    return record;
  }

  async findItem(id: string): Promise<InvalidationRecord | null> {
    return this.items.findById(id).read(PRIMARY).lean<InvalidationRecord>().exec();
  }

  /** Newest first (ids are ObjectId hex, so they sort by creation time); one extra row. */
  async listItems(
    status: InvalidationStatus | undefined,
    beforeId: string | undefined,
    limit: number,
  ): Promise<InvalidationRecord[]> {
    const filter: Record<string, unknown> = {};
    if (status) filter.status = status;
    if (beforeId) filter._id = { $lt: beforeId };
    return this.items
      .find(filter)
      .sort({ _id: -1 })
      .limit(limit + 1)
      .read(PRIMARY)
      .lean<InvalidationRecord[]>()
      .exec();
  }

  /** Unbatched pending items recorded before `createdBefore`, oldest first. */
  async pendingItems(limit: number, createdBefore: Date): Promise<InvalidationRecord[]> {
    return this.items
      .find({ status: 'pending', createdAt: { $lte: createdBefore }, batchId: null })
      .sort({ createdAt: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<InvalidationRecord[]>()
      .exec();
  }

  /** Open (pending or in-progress) items created before `before`, oldest first. */
  async openItemsCreatedBefore(before: Date, limit: number): Promise<InvalidationRecord[]> {
    return this.items
      .find({ status: { $in: ['pending', 'in-progress'] }, createdAt: { $lte: before } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .read(PRIMARY)
      .lean<InvalidationRecord[]>()
      .exec();
  }

  async oldestOpenItem(statuses: InvalidationStatus[]): Promise<InvalidationRecord | null> {
    return this.items
      .findOne({ status: { $in: statuses } })
      .sort({ createdAt: 1 })
      .read(PRIMARY)
      .lean<InvalidationRecord>()
      .exec();
  }

  async countItems(statuses: InvalidationStatus[]): Promise<number> {
    return this.items
      .countDocuments({ status: { $in: statuses } })
      .read(PRIMARY)
      .exec();
  }

  /**
   * Records on the items that they joined the batch (after their tokens were won): only on items
   * still pending in the generation claimed. A worker that stalled after winning its tokens must
   * not move an item its batch's new owner has since sent, completed or handed back.
   */
  async markClaimed(claims: ItemClaim[], batchId: string, now: Date): Promise<void> {
    for (const [generation, ids] of byGeneration(claims))
      await this.items
        .updateMany(
          { _id: { $in: ids }, status: 'pending', ...inGeneration(generation) },
          { $set: { batchId, status: 'in-progress', updatedAt: now } },
        )
        .exec();
  }

  async itemsByIds(ids: string[]): Promise<InvalidationRecord[]> {
    return this.items
      .find({ _id: { $in: ids } })
      .sort({ createdAt: 1 })
      .read(PRIMARY)
      .lean<InvalidationRecord[]>()
      .exec();
  }

  /**
   * Hands claimed items back to pending under a new generation, so they can be claimed again.
   * Only in the generation claimed and never once done: two workers handing back one claim (each
   * may see the other's half of the race) move it on once, and never after someone re-claimed it.
   */
  async requeueClaimed(claims: ItemClaim[], now: Date): Promise<void> {
    for (const [generation, ids] of byGeneration(claims))
      await this.items
        .updateMany(
          {
            _id: { $in: ids },
            status: { $in: ['pending', 'in-progress'] },
            ...inGeneration(generation),
          },
          { $set: { batchId: null, status: 'pending', updatedAt: now }, $inc: { generation: 1 } },
        )
        .exec();
  }

  /**
   * Mirrors a batch's state onto its items (idempotent; repeated on every later transition).
   * By the ids frozen into the batch, not by `batchId` alone: an item that a slower worker handed
   * back must never be marked sent without its paths. A status moves an item forward only
   * (pending → in-progress → sent → completed, or → failed), and it also reaches an item of the
   * batch whose claim is not recorded yet (still pending, no batch): the workers that would record
   * it may be stalled past their leases while another one sends the batch, and their late
   * recording, which only moves pending items, must then find nothing left to do.
   */
  async syncItems(
    batch: Pick<BatchRecord, '_id' | 'itemIds'>,
    set: Partial<InvalidationRecord>,
  ): Promise<void> {
    const from = set.status ? SYNC_FROM[set.status] : null;
    const filter = from
      ? {
          _id: { $in: batch.itemIds },
          status: { $in: from },
          $or: [{ batchId: batch._id }, { batchId: null, status: 'pending' as const }],
        }
      : { _id: { $in: batch.itemIds }, batchId: batch._id };
    await this.items
      .updateMany(filter, { $set: from ? { ...set, batchId: batch._id } : set })
      .exec();
  }

  async failItems(ids: string[], lastError: string, now: Date): Promise<void> {
    await this.items
      .updateMany(
        { _id: { $in: ids }, status: 'pending' },
        { $set: { status: 'failed', lastError, updatedAt: now } },
      )
      .exec();
  }

  async skipPending(now: Date): Promise<number> {
    const result = await this.items
      .updateMany({ status: 'pending' }, { $set: { status: 'skipped', updatedAt: now } })
      .exec();
    return result.modifiedCount;
  }

  /** A failed or skipped item goes back to pending, on its own, as a fresh request. */
  async requeueItem(id: string, now: Date): Promise<InvalidationRecord | null> {
    return this.items
      .findOneAndUpdate(
        { _id: id, status: { $in: ['failed', 'skipped'] } },
        {
          $set: { status: 'pending', batchId: null, attempts: 0, updatedAt: now },
          $inc: { generation: 1 },
          $unset: { cloudFrontId: 1, sentAt: 1, completedAt: 1 },
        },
        { returnDocument: 'after' },
      )
      .read(PRIMARY)
      .lean<InvalidationRecord>()
      .exec();
  }

  // --- batches ------------------------------------------------------------------------------

  async insertBatch(batch: BatchRecord): Promise<void> {
    await this.batches.insertMany([batch], { lean: true, rawResult: false });
  }

  async findBatch(id: string): Promise<BatchRecord | null> {
    return this.batches.findById(id).read(PRIMARY).lean<BatchRecord>().exec();
  }

  async findBatches(ids: string[]): Promise<BatchRecord[]> {
    if (ids.length === 0) return [];
    return this.batches
      .find({ _id: { $in: ids } })
      .read(PRIMARY)
      .lean<BatchRecord[]>()
      .exec();
  }

  /**
   * Leases the batch that is due soonest and not leased (or whose lease expired: its worker
   * died). The lease is won by inserting the token of its next generation, then recorded on the
   * batch, which is re-read: what a loser saw before may be stale.
   */
  async claimDueBatch(owner: string, now: Date, leaseMs: number): Promise<BatchRecord | null> {
    const due = await this.batches
      .find({
        status: { $in: ['assembling', 'sending', 'sent'] },
        nextAttemptAt: { $lte: now },
        $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
      })
      .sort({ nextAttemptAt: 1 })
      .limit(5)
      .read(PRIMARY)
      .lean<BatchRecord[]>()
      .exec();
    for (const batch of due) {
      const leaseGen = (batch.leaseGen ?? 0) + 1;
      if (!(await this.takeToken(`lease:${batch._id}:${leaseGen}`, { owner }))) continue;
      await this.batches
        .updateOne(
          { _id: batch._id },
          {
            $set: {
              leaseGen,
              leaseOwner: owner,
              leaseUntil: new Date(now.getTime() + leaseMs),
            },
          },
        )
        .exec();
      const fresh = await this.findBatch(batch._id);
      if (fresh?.leaseGen === leaseGen) return fresh;
    }
    return null;
  }

  // --- batch state changes: each is fenced by the lease (owner and generation), true if it won ---

  /** Fixes an assembling batch's items and paths: it is ready to send. */
  freezeBatch(
    batch: OwnedBatch,
    owner: string,
    frozen: Pick<BatchRecord, 'itemIds' | 'requestIds' | 'paths' | 'callerReference'>,
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(
      batch,
      owner,
      { ...frozen, status: 'sending', updatedAt: now },
      { status: 'assembling' },
    );
  }

  /** Replaces a sending batch's paths (and so its CallerReference), while the lease is live. */
  repathBatch(
    batch: OwnedBatch,
    owner: string,
    paths: Pick<BatchRecord, 'paths' | 'callerReference'>,
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(
      batch,
      owner,
      { ...paths, updatedAt: now },
      { liveAt: now, status: 'sending' },
    );
  }

  /**
   * Records attempt `attempt` before it is made (so the batch counts as possibly sent) and
   * renews the lease, while the lease is still live.
   */
  recordAttempt(
    batch: OwnedBatch & Pick<BatchRecord, 'firstAttemptAt'>,
    owner: string,
    attempt: number,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    return this.updateOwned(
      batch,
      owner,
      {
        uncertain: true,
        attempts: attempt,
        firstAttemptAt: batch.firstAttemptAt ?? now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        updatedAt: now,
      },
      { liveAt: now, status: 'sending' },
    );
  }

  /** A failed attempt that may be retried: try again at `nextAttemptAt`, lease released. */
  retryBatchLater(
    batch: OwnedBatch,
    owner: string,
    retry: { uncertain: boolean; lastError: string; nextAttemptAt: Date },
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(batch, owner, { ...retry, ...released(now) });
  }

  /** CloudFront was busy: back off without using up the attempt, lease released. */
  deferBusyBatch(
    batch: OwnedBatch,
    owner: string,
    deferral: Pick<BatchRecord, 'attempts' | 'deferrals' | 'deferredSince' | 'nextAttemptAt'> & {
      lastError: string;
    },
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(batch, owner, { ...deferral, uncertain: false, ...released(now) });
  }

  /** Nothing to do until `nextAttemptAt` (a status poll, a busy budget), lease released. */
  deferBatch(
    batch: OwnedBatch,
    owner: string,
    nextAttemptAt: Date,
    now: Date,
    note: { lastError?: string; cloudFrontStatus?: string } = {},
  ): Promise<boolean> {
    const set: Partial<BatchRecord> = { nextAttemptAt, ...released(now) };
    if (note.lastError) set.lastError = note.lastError;
    if (note.cloudFrontStatus) set.cloudFrontStatus = note.cloudFrontStatus;
    return this.updateOwned(batch, owner, set);
  }

  /** CloudFront accepted the batch (or had it already): sent, or completed at once. */
  markBatchSent(
    batch: OwnedBatch,
    owner: string,
    sent: {
      cloudFrontId: string;
      cloudFrontStatus: string;
      completed: boolean;
      nextAttemptAt: Date;
    },
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(batch, owner, {
      status: sent.completed ? 'completed' : 'sent',
      cloudFrontId: sent.cloudFrontId,
      cloudFrontStatus: sent.cloudFrontStatus,
      uncertain: false,
      sentAt: now,
      ...(sent.completed ? { completedAt: now } : {}),
      nextAttemptAt: sent.nextAttemptAt,
      ...released(now),
    });
  }

  /** CloudFront reports the invalidation done. */
  completeBatch(
    batch: OwnedBatch,
    owner: string,
    cloudFrontStatus: string,
    now: Date,
  ): Promise<boolean> {
    return this.updateOwned(batch, owner, {
      status: 'completed',
      cloudFrontStatus,
      completedAt: now,
      ...released(now),
    });
  }

  /** The batch failed for good (attempts exhausted or a permanent error). */
  failBatch(batch: OwnedBatch, owner: string, lastError: string, now: Date): Promise<boolean> {
    return this.updateOwned(batch, owner, { status: 'failed', lastError, ...released(now) });
  }

  /**
   * Updates the batch only while `owner` still holds it (and, with `liveAt`, only if the lease is
   * still valid at that time). False: the lease was lost and the caller must stop.
   */
  private async updateOwned(
    batch: OwnedBatch,
    owner: string,
    set: Partial<BatchRecord>,
    extra: { liveAt?: Date; status?: BatchRecord['status'] } = {},
  ): Promise<boolean> {
    const filter: Record<string, unknown> = {
      _id: batch._id,
      leaseOwner: owner,
      leaseGen: batch.leaseGen,
    };
    if (extra.liveAt) filter.leaseUntil = { $gt: extra.liveAt };
    if (extra.status) filter.status = extra.status;
    const result = await this.batches.updateOne(filter, { $set: set }).exec();
    return result.matchedCount === 1;
  }

  /** Drops a batch still assembling under this owner; true if it did. */
  async deleteOwnedBatch(id: string, owner: string): Promise<boolean> {
    const result = await this.batches
      .deleteOne({ _id: id, leaseOwner: owner, status: 'assembling' })
      .exec();
    return result.deletedCount > 0;
  }

  /** Paths CloudFront may be working on now: sent, or possibly sent, and not yet completed. */
  async inProgressCounts(distributionId: string, exceptId: string): Promise<PathCounts> {
    const rows = await this.batches
      .find(
        {
          // The status first, so the query leads with an indexed key (status_due).
          status: { $in: ['sent', 'sending'] },
          distributionId,
          _id: { $ne: exceptId },
          $or: [{ status: 'sent' }, { uncertain: true }],
        },
        { paths: 1 },
      )
      // Every such batch holds at least one path, and CloudFront allows this many in progress.
      .limit(CLOUDFRONT_MAX_IN_PROGRESS_FILE_PATHS + CLOUDFRONT_MAX_IN_PROGRESS_WILDCARD_PATHS)
      .read(PRIMARY)
      .lean<Pick<BatchRecord, 'paths'>[]>()
      .exec();
    return countPaths(rows.flatMap((r) => r.paths));
  }

  /** Gives up every lease `owner` holds (shutdown), except the one of a request still in flight. */
  async releaseLeases(owner: string, exceptId: string | null): Promise<void> {
    // Only unfinished batches can hold a lease: leading with the status keeps this indexed.
    const filter: Record<string, unknown> = {
      status: { $in: ['assembling', 'sending', 'sent'] },
      leaseOwner: owner,
    };
    if (exceptId) filter._id = { $ne: exceptId };
    await this.batches.updateMany(filter, { $set: { leaseOwner: null, leaseUntil: null } }).exec();
  }

  // --- send slots: one CreateInvalidation per interval per distribution, across replicas ---

  /** Wins the current send slot of the distribution, or says how long until the next one. */
  async takeSendSlot(
    distributionId: string,
    owner: string,
    now: Date,
    intervalMs: number,
  ): Promise<{ granted: true } | { granted: false; waitMs: number }> {
    if (intervalMs <= 0) return { granted: true };
    const slot = Math.floor(now.getTime() / intervalMs);
    const id = `slot:${distributionId}:${String(slot).padStart(16, '0')}`;
    if (await this.takeToken(id, { owner })) return { granted: true };
    return { granted: false, waitMs: Math.max(1, (slot + 1) * intervalMs - now.getTime()) };
  }
}

/** What fences a batch write: the batch and the lease generation its owner holds. */
type OwnedBatch = Pick<BatchRecord, '_id' | 'leaseGen'>;

/** The lease given up: any worker may take the batch when it is next due. */
const released = (now: Date) => ({ leaseOwner: null, leaseUntil: null, updatedAt: now });
