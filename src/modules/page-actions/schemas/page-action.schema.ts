import { Schema } from 'mongoose';
import { ACTION_KINDS, ACTION_STATUSES } from './page-action.types';

export const PAGE_ACTION_MODEL = 'PageAction';
export const PAGE_ACTION_TOKEN_MODEL = 'PageActionToken';

export const PageActionSchema = new Schema(
  {
    _id: { type: String, required: true },
    pageId: { type: String, required: true },
    kind: { type: String, enum: ACTION_KINDS, required: true },
    at: { type: Date, required: true },
    status: { type: String, enum: ACTION_STATUSES, required: true },
    slot: { type: String, required: true },
    source: { type: String, enum: ['api', 'term'], required: true },
    termId: String,
    approvedVersion: Number,
    content: Schema.Types.Mixed,
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    createdById: String,
    requestId: String,
    leaseGen: { type: Number, required: true, default: 0 },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    attempts: { type: Number, required: true, default: 0 },
    lastError: String,
    ranAt: Date,
    reason: String,
    pageVersion: Number,
    updatedAt: { type: Date, required: true },
    auditOutbox: { type: [Schema.Types.Mixed], default: [] },
  },
  { collection: 'page_actions', versionKey: false, minimize: false, strict: true },
);
// One action per page and instant: the 409 is this index (an insert, so FerretDB reports it).
PageActionSchema.index({ slot: 1 }, { unique: true, name: 'slot_unique' });
// The scheduler's due poll, the metrics and the upcoming list: open actions by time.
PageActionSchema.index({ status: 1, at: 1, _id: 1 }, { name: 'status_at' });
// A page's actions in time order (its list, ordering, its next unpublish).
PageActionSchema.index({ pageId: 1, at: 1, _id: 1 }, { name: 'page_at' });
// The audit drain's range query (`auditOutbox.at < cutoff`): actions without entries are not in it.
PageActionSchema.index({ 'auditOutbox.at': 1 }, { name: 'audit_outbox_at' });

/** Claim tokens: a lease generation is won by inserting its token (atomic on FerretDB too). */
export const PageActionTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'page_action_tokens', versionKey: false },
);
PageActionTokenSchema.index({ createdAt: 1 }, { name: 'created_at' });
