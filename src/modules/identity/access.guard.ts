import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type ActorRef,
  type AuthenticatedRequestFields,
  BOOTSTRAP_ACTOR_ID,
  type Identity,
} from '../../core/auth/identity';
import {
  PUBLIC_ROUTE,
  REQUIRED_ROLE,
  type RoleRequirement,
} from '../../core/auth/require-role.decorator';
import { type Role, roleIncludes } from '../../core/auth/roles';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { requestContextOf } from '../../core/http/request-context';
import { auditEntry } from '../audit/audit-entry';
import { AuditService } from '../audit/audit.service';
import { ApiTokensService } from './api-tokens.service';
import { NoRoleError, OidcVerifier } from './oidc.verifier';
import { TOKEN_PREFIX } from './token-secret';

type Request = FastifyRequest & AuthenticatedRequestFields;
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
interface Declaration {
  open: boolean;
  declared: RoleRequirement | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WINDOW_MS = 60_000;
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The failed-authentication limiter's key for a client address: an IPv6 address counts by its
 * /64 (one host's or one subscriber's network: an attacker there picks any of 2^64 interface
 * ids, so a per-address budget would reset at will), an IPv4-mapped one as its IPv4 address.
 * @fastify/rate-limit's own `normalizeIP` does this for its default key; a key of our own has to
 * ask for it.
 */
export function authFailureKey(ip: string): string {
  return `auth-failure:${normalizeIP(ip)}`;
}

/** The role a request needs: the declared one, raised by e.g. `?live=true`. */
export function requiredRole(requirement: RoleRequirement, query: unknown): Role {
  const { elevated } = requirement;
  if (elevated && (query as Record<string, unknown> | undefined)?.[elevated.query] === 'true')
    return elevated.role;
  return requirement.role;
}

/**
 * Global guard (APP_GUARD): authentication, authorization and the auth rate limits in one place.
 * Deny by default: every route under `/admin` needs an identity, and the `admin` role unless
 * the route declares a lower one with `@RequireRole`; only `@PublicRoute()` opts out. Routes
 * outside `/admin` are public unless they declare a role.
 *
 * Rate limits (@fastify/rate-limit's programmatic limiters, per pod): failed authentications
 * per source address (an IPv6 address by its /64, see `authFailureKey`) — once an address has
 * used its budget, every authentication attempt from it gets 429 until the window ends, so a
 * correct guess cannot slip through — and admin writes per identity, a budget that refused
 * requests (403) draw on too. A refusal within budget is audited as one row per identity, route
 * and minute with a count (AuditService.recordRefusal): probing costs the trail no more than that.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly bootstrap?: Buffer;
  private limiters?: { failures: Limiter; writes: Limiter };
  private readonly declarations = new WeakMap<object, Declaration>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensService,
    private readonly oidc: OidcVerifier,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const adminToken = config.auth.adminToken;
    this.bootstrap = adminToken ? digest(adminToken) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const { open, declared } = this.declarationOf(context);
    if (open) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    if (!declared && !isAdminRoute(request)) return true;
    const needed = requiredRole(declared ?? { role: 'admin' }, request.query);

    const identity = await this.authenticate(request, reply);
    request.identity = identity;
    if (!roleIncludes(identity.role, needed)) {
      // The identity's budget first: past it, a refusal costs no database write at all.
      await this.limitWrites(request, reply);
      await this.auditRefusal(request, needed);
      throw new DomainError(
        ErrorCode.Forbidden,
        `This needs the ${needed} role; ${identity.name} has ${identity.role}`,
      );
    }
    if (!READ_METHODS.has(request.method)) await this.limitWrites(request, reply);
    return true;
  }

  /**
   * What a handler declares (`@PublicRoute`, `@RequireRole`), read once per handler: decorator
   * metadata is fixed at class definition, and reading it costs four metadata lookups a request.
   */
  private declarationOf(context: ExecutionContext): Declaration {
    const handler = context.getHandler();
    let declaration = this.declarations.get(handler);
    if (!declaration) {
      const targets = [handler, context.getClass()];
      declaration = {
        open: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
        declared: this.reflector.getAllAndOverride<RoleRequirement | undefined>(
          REQUIRED_ROLE,
          targets,
        ),
      };
      this.declarations.set(handler, declaration);
    }
    return declaration;
  }

  private async authenticate(request: Request, reply: FastifyReply): Promise<Identity> {
    const { failures } = this.limits();
    const before = await failures(request, { increment: false });
    if (!before.isAllowed && before.remaining === 0) throw tooMany(reply, before.ttlInSeconds);
    try {
      return await this.identify(request.headers.authorization);
    } catch (error) {
      if (error instanceof NoRoleError) {
        // Authenticated, but the issuer grants no role: a refusal, not a failed login. There is
        // no identity to hold a budget, so the address's failure budget pays for it; the audit
        // names the person all the same.
        const after = await failures(request);
        if (!after.isAllowed && after.isExceeded) throw tooMany(reply, after.ttlInSeconds);
        await this.auditRefusal(request, 'viewer', error.message, error.actor);
        throw error;
      }
      const after = await failures(request);
      if (!after.isAllowed && after.isExceeded) throw tooMany(reply, after.ttlInSeconds);
      throw error;
    }
  }

  private async identify(header: string | undefined): Promise<Identity> {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match)
      throw new DomainError(
        ErrorCode.Unauthorized,
        'Missing bearer token in the Authorization header',
      );
    const presented = match[1];
    if (presented.startsWith(TOKEN_PREFIX)) return this.tokens.authenticate(presented);
    if (this.bootstrap && timingSafeEqual(digest(presented), this.bootstrap))
      return { kind: 'bootstrap', id: BOOTSTRAP_ACTOR_ID, name: 'bootstrap', role: 'admin' };
    if (this.oidc.enabled && presented.split('.').length === 3) return this.oidc.verify(presented);
    throw new DomainError(ErrorCode.Unauthorized, 'Invalid bearer token');
  }

  private async limitWrites(request: Request, reply: FastifyReply): Promise<void> {
    const result = await this.limits().writes(request);
    if (!result.isAllowed && result.isExceeded) throw tooMany(reply, result.ttlInSeconds);
  }

  private async auditRefusal(
    request: Request,
    needed: Role,
    reason?: string,
    roleless?: ActorRef,
  ): Promise<void> {
    const ctx = requestContextOf(request);
    if (roleless)
      Object.assign(ctx, { actorId: roleless.id, actor: roleless.name, actorKind: 'oidc' });
    // The route template, never the URL: the rows a caller can cause are bounded by the routes.
    const route = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
    try {
      await this.audit.recordRefusal(
        auditEntry(ctx, {
          action: 'auth.forbidden',
          target: { type: 'route', id: route },
          details: { required: needed, ...(reason ? { reason } : {}) },
        }),
      );
    } catch (error) {
      this.logger.warn({ err: error, route }, 'could not audit a refused request');
    }
  }

  private limits(): { failures: Limiter; writes: Limiter } {
    if (!this.limiters) {
      const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
      this.limiters = {
        failures: fastify.createRateLimit({
          max: this.config.auth.failuresPerMinute,
          timeWindow: WINDOW_MS,
          keyGenerator: (req) => authFailureKey(req.ip),
        }),
        writes: fastify.createRateLimit({
          max: this.config.auth.writesPerMinute,
          timeWindow: WINDOW_MS,
          keyGenerator: (req) => {
            const identity = (req as Request).identity;
            return `admin-write:${identity?.kind}:${identity?.id}`;
          },
        }),
      };
    }
    return this.limiters;
  }
}

function isAdminRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? request.url;
  return route === '/admin' || route.startsWith('/admin/');
}

function tooMany(reply: FastifyReply, retryAfterSeconds: number): DomainError {
  void reply.header('retry-after', String(Math.max(1, retryAfterSeconds)));
  return new DomainError(
    ErrorCode.TooManyRequests,
    `Too many requests; retry in ${Math.max(1, retryAfterSeconds)} s`,
  );
}
