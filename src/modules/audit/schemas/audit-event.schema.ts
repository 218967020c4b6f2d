import { Schema } from 'mongoose';

export const AUDIT_EVENTS_COLLECTION = 'audit_events';
export const AUDIT_EVENT_MODEL = 'AuditEvent';

// `_id` is the entry id fixed when the change was built, so a redelivery is a duplicate key, not a
// second event. Entries are stored whole as they were carried (Mixed parts): the AuditEntry type
// in audit-entry.ts is the one description of the shape.
export const AuditEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    action: { type: String, required: true },
    actor: { type: Schema.Types.Mixed, required: true },
    onBehalfOf: Schema.Types.Mixed,
    role: String,
    page: Schema.Types.Mixed,
    version: Schema.Types.Mixed,
    changes: [String],
    target: Schema.Types.Mixed,
    details: Schema.Types.Mixed,
    requestId: String,
    clientRequestId: String,
    sourceIp: String,
    count: Number,
    lastAt: Date,
    /** Set on a write-ahead record (a page deletion) until the change is known to have happened. */
    intent: Boolean,
  },
  { collection: AUDIT_EVENTS_COLLECTION, versionKey: false, minimize: false, strict: true },
);
// Newest first, and the same order within each filter the audit endpoint offers. `actor` matches
// the stable actor id only: a display name is chosen by its holder and proves nothing.
AuditEventSchema.index({ at: -1, _id: -1 }, { name: 'at_desc' });
AuditEventSchema.index({ 'page.id': 1, at: -1, _id: -1 }, { name: 'page_at_desc' });
AuditEventSchema.index({ 'actor.id': 1, at: -1, _id: -1 }, { name: 'actor_at_desc' });
AuditEventSchema.index({ action: 1, at: -1, _id: -1 }, { name: 'action_at_desc' });
