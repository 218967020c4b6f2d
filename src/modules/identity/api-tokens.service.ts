import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Identity } from '../../core/auth/identity';
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

export interface NewToken {
  name: string;
  role: Role;
  expiresAt?: Date;
}

type Lookup = { token: ApiTokenView | null; until: number };

/**
 * API tokens: creation (secret shown once), listing, revocation, and authentication of a
 * presented secret. Each replica caches what it read of a token for API_TOKEN_CACHE_TTL_MS,
 * which bounds how late a revocation made on another replica takes effect; the replica that
 * revokes drops its own copy at once. Expiry is checked against the clock on every request.
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
    if (spec.expiresAt && spec.expiresAt.getTime() <= now.getTime())
      throw new DomainError(ErrorCode.ValidationFailed, 'expiresAt must be in the future');
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
          ...(spec.expiresAt ? { expiresAt: spec.expiresAt.toISOString() } : {}),
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
      createdAt: now,
      expiresAt: spec.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
      auditOutbox: [entry],
    };
    await this.repo.insert(record);
    await this.audit.deliver(this, _id.toHexString(), entry);
    return { token: tokenView(record), secret };
  }

  async list(limit: number, cursor?: string): Promise<CursorPage<ApiTokenView>> {
    const before = cursor ? decodeCursor(cursor, isObjectIdHex) : undefined;
    const rows = await this.repo.list(
      before ? (ApiTokensRepository.toObjectId(before) ?? undefined) : undefined,
      limit,
    );
    return paginate(rows, limit, (last) => last._id.toHexString());
  }

  /** Revokes a token (idempotent: revoking a revoked token changes nothing and audits nothing). */
  async revoke(id: string, ctx: RequestContext, now = new Date()): Promise<void> {
    const token = await this.repo.findById(id);
    if (!token) throw new DomainError(ErrorCode.TokenNotFound, `No token with id "${id}"`);
    if (token.revokedAt) return;
    const by = ctx.identity
      ? { kind: ctx.identity.kind, id: ctx.identity.id, name: ctx.identity.name }
      : { kind: 'system', id: 'system', name: ctx.actor };
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
   * why not. Unknown, revoked and expired tokens all get 401.
   */
  async authenticate(secret: string, now = Date.now()): Promise<Identity> {
    const hash = hashTokenSecret(secret);
    let lookup = this.cache.get(hash);
    if (!lookup || lookup.until <= now) {
      lookup = {
        token: await this.repo.findByHash(hash),
        until: now + this.config.auth.tokenCacheTtlMs,
      };
      this.remember(hash, lookup);
    }
    const token = lookup.token;
    if (!token) throw new DomainError(ErrorCode.Unauthorized, 'Unknown API token');
    if (token.revokedAt)
      throw new DomainError(ErrorCode.Unauthorized, 'API token has been revoked');
    if (token.expiresAt && new Date(token.expiresAt).getTime() <= now)
      throw new DomainError(ErrorCode.Unauthorized, 'API token has expired');
    this.touchLater(token._id, now);
    return { kind: 'token', id: token._id.toHexString(), name: token.name, role: token.role };
  }

  // --- AuditOutboxSource ---------------------------------------------------------------------

  pending(before: Date, limit: number): Promise<{ ownerId: string; entries: AuditEntry[] }[]> {
    return this.repo.pendingAuditEntries(before, limit);
  }

  acknowledge(ownerId: string, entry: AuditEntry): Promise<void> {
    return this.repo.removeAuditEntry(ownerId, entry);
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
      if (lookup.token?._id.toHexString() === tokenId) this.cache.delete(hash);
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
