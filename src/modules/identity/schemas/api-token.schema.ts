import { Schema, type Types } from 'mongoose';
import { ROLES, type Role } from '../../../core/auth/roles';
import type { AuditEntry } from '../../audit/audit-entry';

export const API_TOKENS_COLLECTION = 'api_tokens';
export const API_TOKEN_MODEL = 'ApiToken';

export interface ApiTokenRecord {
  _id: Types.ObjectId;
  name: string;
  role: Role;
  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  hash: string;
  /** Who made it; `id` is the stable actor id (`token:<id>`, `oidc:<issuer>#<sub>`, ...). */
  createdBy: { kind: string; id: string; name: string };
  /**
   * The ids of the tokens above it, the root first: the token that made it, the one that made
   * that, ... Empty when a person (bootstrap, OIDC, the CLI) made it. Revoking any of them revokes
   * this one: one `updateMany` on the indexed field, and checked again when it authenticates.
   */
  lineage?: string[];
  createdAt: Date;
  expiresAt?: Date | null;
  lastUsedAt?: Date | null;
  revokedAt?: Date | null;
  revokedBy?: { kind: string; id: string; name: string } | null;
  /** Set when it was revoked because the token of this id (one in its lineage) was. */
  revokedVia?: string | null;
  /** Audit entries of this token's creation/revocation not yet delivered (as for pages). */
  auditOutbox?: AuditEntry[];
}

export const ApiTokenSchema = new Schema(
  {
    name: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    hash: { type: String, required: true },
    createdBy: { type: Schema.Types.Mixed, required: true },
    lineage: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: Schema.Types.Mixed, default: null },
    revokedVia: { type: String, default: null },
    auditOutbox: { type: [Schema.Types.Mixed], default: [] },
  },
  { collection: API_TOKENS_COLLECTION, versionKey: false, minimize: false, strict: true },
);
ApiTokenSchema.index({ hash: 1 }, { unique: true, name: 'hash_unique' });
ApiTokenSchema.index({ 'auditOutbox.at': 1 }, { name: 'audit_outbox_at' });
// A revocation finds everything below the revoked token in one indexed update.
ApiTokenSchema.index({ lineage: 1 }, { name: 'lineage' });
