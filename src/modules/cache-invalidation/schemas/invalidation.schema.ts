import { Schema } from 'mongoose';
import { BATCH_STATUSES, INVALIDATION_STATUSES } from './invalidation.types';

export const INVALIDATIONS_COLLECTION = 'cdn_invalidations';
export const BATCHES_COLLECTION = 'cdn_invalidation_batches';
export const SEND_TICKETS_COLLECTION = 'cdn_invalidation_tickets';
export const INVALIDATION_MODEL = 'CdnInvalidation';
export const BATCH_MODEL = 'CdnInvalidationBatch';
export const SEND_TICKET_MODEL = 'CdnInvalidationTicket';

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
    firstAttemptAt: Date,
    nextAttemptAt: { type: Date, required: true },
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

/** One document per distribution: the next moment any replica may call CreateInvalidation. */
export const SendTicketSchema = new Schema(
  {
    _id: { type: String, required: true },
    nextSendAt: { type: Date, required: true },
    holder: String,
  },
  { collection: SEND_TICKETS_COLLECTION, versionKey: false, _id: false },
);
