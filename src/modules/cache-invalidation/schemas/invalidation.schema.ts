import { Schema } from 'mongoose';
import { BATCH_STATUSES, INVALIDATION_STATUSES } from './invalidation.types';

export const INVALIDATIONS_COLLECTION = 'cdn_invalidations';
export const BATCHES_COLLECTION = 'cdn_invalidation_batches';
export const TOKENS_COLLECTION = 'cdn_invalidation_tokens';
export const INVALIDATION_MODEL = 'CdnInvalidation';
export const BATCH_MODEL = 'CdnInvalidationBatch';
export const TOKEN_MODEL = 'CdnInvalidationToken';

// String ids: an invalidation keeps the id of the outbox entry it came from, which is what makes
// moving it out of the page idempotent (upsert by that id, then pull it from the page).
export const InvalidationSchema = new Schema(
  {
    _id: { type: String, required: true },
    source: { type: String, enum: ['page', 'admin'], required: true },
    pageId: String,
    reason: { type: String, required: true },
    requestId: String,
    paths: { type: [String], required: true },
    status: { type: String, enum: INVALIDATION_STATUSES, required: true },
    batchId: { type: String, default: null },
    /** Bumped when an item is handed back or retried, so that it can be claimed afresh. */
    generation: { type: Number, default: 0 },
    attempts: { type: Number, default: 0 },
    lastError: String,
    cloudFrontId: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    sentAt: Date,
    completedAt: Date,
  },
  { collection: INVALIDATIONS_COLLECTION, versionKey: false, _id: false },
);
InvalidationSchema.index({ status: 1, createdAt: 1 }, { name: 'status_created' });
InvalidationSchema.index({ batchId: 1 }, { name: 'batch' });

export const BatchSchema = new Schema(
  {
    _id: { type: String, required: true },
    distributionId: { type: String, required: true },
    status: { type: String, enum: BATCH_STATUSES, required: true },
    itemIds: { type: [String], default: [] },
    requestIds: { type: [String], default: [] },
    paths: { type: [String], default: [] },
    callerReference: String,
    attempts: { type: Number, default: 0 },
    lastError: String,
    uncertain: { type: Boolean, default: false },
    deferrals: { type: Number, default: 0 },
    deferredSince: Date,
    firstAttemptAt: Date,
    nextAttemptAt: { type: Date, required: true },
    leaseGen: { type: Number, default: 0 },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    cloudFrontId: String,
    cloudFrontStatus: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    sentAt: Date,
    completedAt: Date,
  },
  { collection: BATCHES_COLLECTION, versionKey: false, _id: false },
);
BatchSchema.index({ status: 1, nextAttemptAt: 1 }, { name: 'status_due' });

/**
 * Claims that only one worker may ever win, as documents with a unique _id: an insert is atomic
 * on DocumentDB and FerretDB alike, where a conditional update is not on FerretDB (it reads and
 * writes in separate steps, so two workers can both "win" a findOneAndUpdate). Ids:
 * - `item:<itemId>:<generation>`   the item joins `batchId`
 * - `lease:<batchId>:<generation>` one lease generation of a batch
 * - `attempt:<batchId>:<n>`        the n-th CreateInvalidation of a batch
 * - `slot:<distributionId>:<n>`    the n-th send interval of a distribution (rate limit)
 */
export const TokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    batchId: String,
    owner: String,
    createdAt: { type: Date, required: true },
  },
  { collection: TOKENS_COLLECTION, versionKey: false, _id: false },
);
TokenSchema.index({ batchId: 1 }, { name: 'batch' });
TokenSchema.index({ createdAt: 1 }, { name: 'created' });
