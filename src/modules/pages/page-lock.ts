import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import { Model, Schema, Types } from 'mongoose';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { isDuplicateKey } from '../../core/database/mongo-errors';

export const PAGE_LOCK_MODEL = 'PageLock';

interface PageLockRecord {
  _id: Types.ObjectId;
  owner: string;
  expiresAt: Date;
}

export const PageLockSchema = new Schema<PageLockRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'page_locks', versionKey: false },
);

/** A write takes milliseconds; a holder that died frees the page after this. */
const LOCK_TTL_MS = 5_000;
/** How long a writer queues behind others before giving up with 409. */
const LOCK_WAIT_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A short mutex per page, taken by every writer of a page document (admin edits, schedule edits,
 * the CDN worker draining the outbox).
 *
 * Why: on DocumentDB a version-guarded findOneAndUpdate is atomic on its own, but FerretDB (the
 * local and test stand-in) runs it as a read and a separate write, so concurrent writers can all
 * "win" and overwrite each other. The one operation atomic on both is an insert with a unique
 * `_id`, so the lock is a document keyed by the page id. Inside the lock the version guard decides
 * who is stale, exactly as it would on DocumentDB alone. Costs two small round trips per admin
 * write; the public read path never takes it.
 */
@Injectable()
export class PageLock implements OnModuleInit {
  constructor(@InjectModel(PAGE_LOCK_MODEL) private readonly locks: Model<PageLockRecord>) {}

  async onModuleInit(): Promise<void> {
    await this.locks.createCollection().catch(() => undefined);
  }

  async run<T>(pageId: Types.ObjectId, write: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await this.tryAcquire(pageId, owner))) {
      if (Date.now() > deadline) {
        throw new DomainError(
          ErrorCode.Conflict,
          'the page is being changed by another request; retry shortly',
        );
      }
      await sleep(5 + Math.random() * 20);
    }
    try {
      return await write();
    } finally {
      await this.locks.deleteOne({ _id: pageId, owner }).exec();
    }
  }

  private async tryAcquire(pageId: Types.ObjectId, owner: string): Promise<boolean> {
    try {
      await this.locks.insertMany([
        { _id: pageId, owner, expiresAt: new Date(Date.now() + LOCK_TTL_MS) },
      ]);
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Free a lock whose holder died mid-write; the next attempt may then take it.
      await this.locks.deleteOne({ _id: pageId, expiresAt: { $lt: new Date() } }).exec();
      return false;
    }
  }
}
