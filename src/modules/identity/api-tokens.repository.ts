import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isValidObjectId, type Model, Types } from 'mongoose';
import type { AuditEntry } from '../audit/audit-entry';
import { API_TOKEN_MODEL, type ApiTokenRecord } from './schemas/api-token.schema';
import { SchemaSetup } from '../../core/database/schema-setup';

export type ApiTokenView = Omit<ApiTokenRecord, 'hash' | 'auditOutbox'>;
const VIEW = { hash: 0, auditOutbox: 0 } as const;

/** A token as it may leave the repository: never its hash. */
export function tokenView({ hash: _h, auditOutbox: _o, ...view }: ApiTokenRecord): ApiTokenView {
  return view;
}

/** The only code that touches `api_tokens`. Every read that decides access goes to the primary. */
@Injectable()
export class ApiTokensRepository implements OnModuleInit {
  constructor(
    @InjectModel(API_TOKEN_MODEL) private readonly tokens: Model<ApiTokenRecord>,
    private readonly schema: SchemaSetup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ensureIndexes(this.tokens);
  }

  static toObjectId(id: string): Types.ObjectId | null {
    return isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
  }

  async insert(record: ApiTokenRecord): Promise<void> {
    await this.tokens.insertMany([record]);
  }

  async findByHash(hash: string): Promise<ApiTokenView | null> {
    return this.tokens.findOne({ hash }, VIEW).read('primary').lean<ApiTokenView>().exec();
  }

  async findById(id: string): Promise<ApiTokenView | null> {
    const _id = ApiTokensRepository.toObjectId(id);
    if (!_id) return null;
    return this.tokens.findById(_id, VIEW).read('primary').lean<ApiTokenView>().exec();
  }

  /** Newest first, before `beforeId`; one extra row says there is more. */
  async list(beforeId: Types.ObjectId | undefined, limit: number): Promise<ApiTokenView[]> {
    return this.tokens
      .find(beforeId ? { _id: { $lt: beforeId } } : {}, VIEW)
      .sort({ _id: -1 })
      .limit(limit + 1)
      .read('primary')
      .lean<ApiTokenView[]>()
      .exec();
  }

  /**
   * Sets `revokedAt` once, with the audit entry in the same update. Null if already revoked.
   * (FerretDB applies conditional updates non-atomically: two racing revocations may both
   * succeed; each is then audited, and the token is revoked either way.)
   */
  async revoke(
    _id: Types.ObjectId,
    stamp: { at: Date; by: ApiTokenRecord['createdBy'] },
    audit: AuditEntry,
  ): Promise<ApiTokenView | null> {
    // No projection: FerretDB's findAndModify does not support one.
    const row = await this.tokens
      .findOneAndUpdate(
        { _id, revokedAt: null },
        { $set: { revokedAt: stamp.at, revokedBy: stamp.by }, $push: { auditOutbox: audit } },
        { returnDocument: 'after' },
      )
      .lean<ApiTokenRecord>()
      .exec();
    return row ? tokenView(row) : null;
  }

  /**
   * Revokes every unrevoked token below `ancestor` (its id in their lineage): one update, however
   * many there are. Idempotent, so the audit drain may run it again after a crash.
   */
  async revokeDescendants(
    ancestor: string,
    stamp: { at: Date; by: ApiTokenRecord['createdBy'] },
  ): Promise<number> {
    const result = await this.tokens
      .updateMany(
        { lineage: ancestor, revokedAt: null },
        { $set: { revokedAt: stamp.at, revokedBy: stamp.by, revokedVia: ancestor } },
      )
      .exec();
    return result.modifiedCount;
  }

  /** Whether any of these tokens is revoked (the lineage check of an authentication). */
  async anyRevoked(ids: string[]): Promise<boolean> {
    const _ids = ids.flatMap((id) => ApiTokensRepository.toObjectId(id) ?? []);
    if (_ids.length === 0) return false;
    const row = await this.tokens
      .findOne({ _id: { $in: _ids }, revokedAt: { $ne: null } }, { _id: 1 })
      .read('primary')
      .lean()
      .exec();
    return row !== null;
  }

  /** Stamps `lastUsedAt` unless it is already within `minIntervalMs` of `at`. */
  async touch(_id: Types.ObjectId, at: Date, minIntervalMs: number): Promise<void> {
    await this.tokens
      .updateOne(
        {
          _id,
          revokedAt: null,
          $or: [
            { lastUsedAt: null },
            { lastUsedAt: { $lt: new Date(at.getTime() - minIntervalMs) } },
          ],
        },
        { $set: { lastUsedAt: at } },
      )
      .exec();
  }

  async pendingAuditEntries(
    before: Date,
    limit: number,
  ): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    const rows = await this.tokens
      .find({ 'auditOutbox.at': { $lt: before } }, { auditOutbox: 1 })
      .limit(limit)
      .read('primary')
      .lean<Pick<ApiTokenRecord, '_id' | 'auditOutbox'>[]>()
      .exec();
    return rows.map((r) => ({ ownerId: r._id.toHexString(), entries: r.auditOutbox ?? [] }));
  }

  async removeAuditEntry(ownerId: string, entry: AuditEntry): Promise<void> {
    const _id = ApiTokensRepository.toObjectId(ownerId);
    if (!_id) return;
    await this.tokens.updateOne({ _id }, { $pull: { auditOutbox: entry } }).exec();
  }
}
