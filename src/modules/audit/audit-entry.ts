import { Types } from 'mongoose';
import type { ActorRef, Identity } from '../../core/auth/identity';
import type { Role } from '../../core/auth/roles';
import { actorOf, type RequestContext } from '../../core/http/request-context';

export const AUDIT_ACTIONS = [
  'page.created',
  'page.updated',
  'page.renamed',
  'page.redirect-removed',
  'page.published',
  'page.unpublished',
  'page.archived',
  'page.restored',
  'page.deleted',
  'page.schedule-synced',
  'schedule.timezone-set',
  'schedule.event-added',
  'schedule.event-updated',
  'schedule.event-removed',
  'schedule.occurrence-cancelled',
  'schedule.occurrence-restored',
  'cdn.invalidation.requested',
  'cdn.invalidation.retried',
  'token.created',
  'token.revoked',
  'page-action.created',
  'page-action.cancelled',
  'auth.forbidden',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One audit event, exactly as stored in `audit_events` and as carried (not yet delivered) inside
 * the page or token document whose write it describes. `id` is fixed when the write is built, so
 * delivering it twice stores it once.
 */
export interface AuditEntry {
  id: string;
  at: Date;
  action: AuditAction;
  /** `id` is the stable actor id (`token:<id>`, `oidc:<issuer>#<sub>`, `bootstrap`, ...). */
  actor: { kind: Identity['kind'] | 'system'; id: string; name: string };
  /** Whom a system actor acted for: the scheduler names who scheduled the action. */
  onBehalfOf?: ActorRef;
  role?: Role;
  page?: { id: string; slug: string };
  version?: { before: number | null; after: number | null };
  /** Changed field paths (`draft.title`, `status`, ...), never the values. */
  changes?: string[];
  /** What else the action concerned: a token, an invalidation, a refused route. */
  target?: { type: 'token' | 'invalidation' | 'route' | 'page-action'; id: string };
  details?: Record<string, unknown>;
  /** The server's id of the request that made the change. */
  requestId?: string;
  /** The caller's own `X-Request-Id`, when it sent one: chosen by the caller, so kept apart. */
  clientRequestId?: string;
  sourceIp?: string;
  /**
   * Refusals are stored one row per actor, route and minute: how many there were, and when the
   * last one came (`at` is the first). See AuditService.recordRefusal.
   */
  count?: number;
  lastAt?: Date;
}

export type AuditFacts = Omit<
  AuditEntry,
  | 'id'
  | 'at'
  | 'actor'
  | 'onBehalfOf'
  | 'role'
  | 'requestId'
  | 'clientRequestId'
  | 'sourceIp'
  | 'count'
  | 'lastAt'
>;

/** Stamps who, where and when from the request context onto the facts of a change. */
export function auditEntry(ctx: RequestContext, facts: AuditFacts, at = new Date()): AuditEntry {
  const identity = ctx.identity;
  return {
    id: new Types.ObjectId().toHexString(),
    at,
    actor: { kind: identity?.kind ?? ctx.actorKind ?? 'system', ...actorOf(ctx) },
    ...(!identity && ctx.onBehalfOf ? { onBehalfOf: { ...ctx.onBehalfOf } } : {}),
    ...(identity ? { role: identity.role } : {}),
    ...withoutUndefined(facts),
    ...(facts.details ? { details: withoutUndefined(facts.details) } : {}),
    // The server's id; the caller's beside it when the caller chose the request's id.
    requestId: ctx.serverRequestId ?? ctx.requestId,
    ...(ctx.serverRequestId ? { clientRequestId: ctx.requestId } : {}),
    ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
  };
}

/**
 * The field paths where `before` and `after` differ, down to `depth` levels (objects only; an
 * array is one value). Compact enough for the audit trail, precise enough to say what moved.
 */
export function changedPaths(before: unknown, after: unknown, prefix = '', depth = 2): string[] {
  if (isPlainObject(before) && isPlainObject(after) && depth > 0) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) =>
      changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k, depth - 1),
    );
  }
  return sameValue(before, after) ? [] : [prefix || '.'];
}

// Stored entries are matched whole when acknowledged: no undefined (serialised as null) in them.
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isPlainObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}
