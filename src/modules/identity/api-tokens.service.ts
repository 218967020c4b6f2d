import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { type Identity, tokenActorId, tokenIdOfActor } from '../../core/auth/identity';
import { type Role, roleIncludes } from '../../core/auth/roles';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { type CursorPage, decodeCursor, isObjectIdHex, paginate } from '../../core/http/cursor';
import type { RequestContext } from '../../core/http/request-context';
import { type AuditEntry, auditEntry } from '../audit/audit-entry';
import type { AuditOutboxSource } from '../audit/audit-outbox';
import { AuditService } from '../audit/audit.service';
import { ApiTokensRepository, type ApiTokenView, tokenView } from './api-tokens.repository';
import type { ApiTokenRecord } from './schemas/api-token.schema';
import { hashTokenSecret, newTokenSecret } from './token-secret';

/** `lastUsedAt` is written at most this often per token (and never on the request's path). */
const LAST_USED_INTERVAL_MS = 60_000;
/** Bounds the memory of the token cache; beyond it the oldest entries are dropped. */
const CACHE_MAX_ENTRIES = 10_000;
/**
 * How deep tokens may mint tokens: bounds the lineage stored on each token and the ancestor
 * lookup of an authentication (one `$in` over at most this many ids).
 */
export const MAX_TOKEN_LINEAGE = 10;

export interface NewToken {
  name: string;
  role: Role;
  expiresAt?: Date;
}

type Lookup = { token: ApiTokenView | null; ancestorRevoked: boolean; until: number };

/**
 * API tokens: creation (secret shown once), listing, revocation, and authentication of a
 * presented secret. Each replica caches what it read of a token for API_TOKEN_CACHE_TTL_MS,
 * which bounds how late a revocation made on another replica takes effect; the replica that
 * revokes drops its own copy at once. Expiry is checked against the clock on every request.
 *
 * A token records who made it and, when a token made it, its lineage (the tokens above it).
 * Revoking a token revokes everything below it, transitively: the revocation's update carries
 * its audit entry, and delivering that entry runs the one `updateMany` over the indexed lineage
 * (again from the drain loop if the process died first). Authentication does not rely on that
 * having happened: a token whose lineage holds a revoked token is refused.
 */
@Injectable()
export class ApiTokensService implements AuditOutboxSource, OnModuleInit {
  readonly name = 'api_tokens';
  private readonly logger = new Logger(ApiTokensService.name);
  private readonly cache = new Map<string, Lookup>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repo: ApiTokensRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.audit.register(this);
  }

  /** Creates a token; the only time its secret exists outside the caller's hands. */
  async create(
    spec: NewToken,
    ctx: RequestContext,
    now = new Date(),
  ): Promise<{ token: ApiTokenView; secret: string }> {
    const creator = ctx.identity;
    if (!creator) throw new DomainError(ErrorCode.Unauthorized, 'No identity to create a token as');
    if (!roleIncludes(creator.role, spec.role)) {
      throw new DomainError(
        ErrorCode.Forbidden,
        `a ${creator.role} cannot create a ${spec.role} token (a token can't grant more than its creator's role)`,
      );
    }
    const { lineage, notAfter } = await this.descentOf(creator);
    const expiresAt = this.expiryOf(spec.expiresAt, now, notAfter);
    const secret = newTokenSecret();
    const _id = new Types.ObjectId();
    const createdBy = { kind: creator.kind, id: creator.id, name: creator.name };
    const entry = auditEntry(
      ctx,
      {
        action: 'token.created',
        target: { type: 'token', id: _id.toHexString() },
        details: {
          name: spec.name,
          role: spec.role,
          expiresAt: expiresAt.toISOString(),
          ...(lineage.length > 0 ? { lineage } : {}),
        },
      },
      now,
    );
    const record: ApiTokenRecord = {
      _id,
      name: spec.name,
      role: spec.role,
      hash: hashTokenSecret(secret),
      createdBy,
      lineage,
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      revokedVia: null,
      auditOutbox: [entry],
    };
    await this.repo.insert(record);
    await this.audit.deliver(this, _id.toHexString(), entry);
    return { token: tokenView(record), secret };
  }

  /**
   * Where a new token hangs: below its creator when a token creates it (that token's lineage
   * and id), and no later than that token expires (a token must not outlive its maker).
   */
  private async descentOf(creator: Identity): Promise<{ lineage: string[]; notAfter?: Date }> {
    const parentId = creator.kind === 'token' ? tokenIdOfActor(creator.id) : undefined;
    if (!parentId) return { lineage: [] };
    const parent = await this.repo.findById(parentId);
    if (!parent || parent.revokedAt)
      throw new DomainError(ErrorCode.Unauthorized, 'API token has been revoked');
    const lineage = [...(parent.lineage ?? []), parentId];
    if (lineage.length > MAX_TOKEN_LINEAGE)
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `tokens may be made by tokens at most ${MAX_TOKEN_LINEAGE} deep; this one would be ${lineage.length} deep`,
      );
    return { lineage, notAfter: this.expiryOfStored(parent) };
  }

  /** The expiry a new token gets: asked for, or the longest allowed; never beyond the limits. */
  private expiryOf(asked: Date | undefined, now: Date, notAfter?: Date): Date {
    const maxMs = this.config.auth.tokenMaxLifetimeMs;
    const limit = new Date(now.getTime() + maxMs);
    if (asked && asked.getTime() <= now.getTime())
      throw new DomainError(ErrorCode.ValidationFailed, 'expiresAt must be in the future');
    if (asked && asked.getTime() > limit.getTime())
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `expiresAt must be at most ${Math.round(maxMs / 86_400_000)} days ahead (API_TOKEN_MAX_LIFETIME_DAYS), not after ${limit.toISOString()}`,
      );
    if (asked && notAfter && asked.getTime() > notAfter.getTime())
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `expiresAt must not be after ${notAfter.toISOString()}, when the token creating it expires`,
      );
    const candidates = [asked ?? limit, ...(notAfter ? [notAfter] : [])];
    return new Date(Math.min(...candidates.map((d) => d.getTime())));
  }

  /** When a stored token stops working: its expiry, or its creation + the longest lifetime. */
  private expiryOfStored(token: Pick<ApiTokenView, 'expiresAt' | 'createdAt'>): Date {
    return token.expiresAt
      ? new Date(token.expiresAt)
      : new Date(new Date(token.createdAt).getTime() + this.config.auth.tokenMaxLifetimeMs);
  }

  async list(limit: number, cursor?: string): Promise<CursorPage<ApiTokenView>> {
    const before = cursor ? decodeCursor(cursor, isObjectIdHex) : undefined;
    const rows = await this.repo.list(
      before ? (ApiTokensRepository.toObjectId(before) ?? undefined) : undefined,
      limit,
    );
    return paginate(rows, limit, (last) => last._id.toHexString());
  }

  /**
   * Revokes a token and, through its audit entry's delivery, every token below it (idempotent:
   * revoking a revoked token changes nothing and audits nothing).
   */
  async revoke(id: string, ctx: RequestContext, now = new Date()): Promise<void> {
    const token = await this.repo.findById(id);
    if (!token) throw new DomainError(ErrorCode.TokenNotFound, `No token with id "${id}"`);
    if (token.revokedAt) return;
    const by = ctx.identity
      ? { kind: ctx.identity.kind, id: ctx.identity.id, name: ctx.identity.name }
      : { kind: 'system', id: ctx.actorId ?? 'system', name: ctx.actor };
    const entry = auditEntry(
      ctx,
      {
        action: 'token.revoked',
        target: { type: 'token', id },
        details: { name: token.name, role: token.role },
      },
      now,
    );
    const revoked = await this.repo.revoke(token._id, { at: now, by }, entry);
    this.forget(token._id.toHexString());
    if (revoked) await this.audit.deliver(this, id, entry);
  }

  /**
   * The identity a presented `sat_` secret stands for, or a DomainError(Unauthorized) saying
   * why not. Unknown, revoked and expired tokens, and tokens below a revoked one, all get 401.
   */
  async authenticate(secret: string, now = Date.now()): Promise<Identity> {
    const hash = hashTokenSecret(secret);
    let lookup = this.cache.get(hash);
    if (!lookup || lookup.until <= now) {
      const token = await this.repo.findByHash(hash);
      const lineage = token && !token.revokedAt ? (token.lineage ?? []) : [];
      lookup = {
        token,
        ancestorRevoked: lineage.length > 0 && (await this.repo.anyRevoked(lineage)),
        until: now + this.config.auth.tokenCacheTtlMs,
      };
      this.remember(hash, lookup);
    }
    const token = lookup.token;
    if (!token) throw new DomainError(ErrorCode.Unauthorized, 'Unknown API token');
    if (token.revokedAt || lookup.ancestorRevoked)
      throw new DomainError(ErrorCode.Unauthorized, 'API token has been revoked');
    if (this.expiryOfStored(token).getTime() <= now)
      throw new DomainError(ErrorCode.Unauthorized, 'API token has expired');
    this.touchLater(token._id, now);
    const tokenId = token._id.toHexString();
    return { kind: 'token', id: tokenActorId(tokenId), name: token.name, role: token.role };
  }

  // --- AuditOutboxSource ---------------------------------------------------------------------

  pending(before: Date, limit: number): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    return this.repo.pendingAuditEntries(before, limit);
  }

  /**
   * A revocation's entry is acknowledged only once the tokens below it are revoked too: until
   * then it stays carried, and the drain loop runs the (idempotent) cascade again.
   */
  async acknowledge(ownerId: string, entry: AuditEntry): Promise<void> {
    if (entry.action === 'token.revoked') {
      const { id, kind, name } = entry.actor;
      const revoked = await this.repo.revokeDescendants(ownerId, {
        at: new Date(entry.at),
        by: { kind, id, name },
      });
      if (revoked > 0) {
        this.forget(ownerId);
        this.logger.log({ tokenId: ownerId, revoked }, 'tokens below a revoked token revoked');
      }
    }
    await this.repo.removeAuditEntry(ownerId, entry);
  }

  // --- internals -----------------------------------------------------------------------------

  private remember(hash: string, lookup: Lookup): void {
    if (this.config.auth.tokenCacheTtlMs === 0) return;
    this.cache.delete(hash);
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, lookup);
  }

  private forget(tokenId: string): void {
    for (const [hash, lookup] of this.cache)
      if (lookup.token?._id.toHexString() === tokenId || lookup.token?.lineage?.includes(tokenId))
        this.cache.delete(hash);
  }

  /** Fire-and-forget, at most once a minute per token per replica (and the DB re-checks it). */
  private touchLater(_id: Types.ObjectId, now: number): void {
    const key = _id.toHexString();
    const last = this.touched.get(key);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.touched.set(key, now);
    if (this.touched.size > CACHE_MAX_ENTRIES) this.touched.clear();
    this.repo.touch(_id, new Date(now), LAST_USED_INTERVAL_MS).catch((error: unknown) => {
      this.logger.warn({ err: error, tokenId: key }, 'could not record token use');
    });
  }
}
