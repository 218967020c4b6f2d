import type { ExecutionContext } from '@nestjs/common';
import { type HttpAdapterHost, Reflector } from '@nestjs/core';
import type { Identity } from '../../core/auth/identity';
import { PublicRoute, RequireRole } from '../../core/auth/require-role.decorator';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import type { AuditService } from '../audit/audit.service';
import { AccessGuard, authFailureKey } from './access.guard';
import type { ApiTokensService } from './api-tokens.service';
import type { OidcVerifier } from './oidc.verifier';

class Undeclared {
  handler(): void {}
}
class Declared {
  @RequireRole('viewer') handler(): void {}
}
class Open {
  @PublicRoute() handler(): void {}
}

const config = AppConfig.fromEnvironment({
  MONGODB_URI: 'mongodb://db.example:27017/pages',
  ADMIN_TOKEN: 'x'.repeat(32),
});

function guardWith(identity: Identity | undefined) {
  const tokens = {
    authenticate: jest.fn(async () => {
      if (!identity) throw new DomainError(ErrorCode.Unauthorized, 'Unknown API token');
      return identity;
    }),
  };
  const audit = {
    record: jest.fn(async () => undefined),
    recordRefusal: jest.fn(async () => undefined),
  };
  const limiter = async () => ({
    isAllowed: false,
    remaining: 5,
    isExceeded: false,
    ttlInSeconds: 60,
  });
  const adapterHost = {
    httpAdapter: { getInstance: () => ({ createRateLimit: () => limiter }) },
  } as unknown as HttpAdapterHost;
  const guard = new AccessGuard(
    new Reflector(),
    tokens as unknown as ApiTokensService,
    { enabled: false } as unknown as OidcVerifier,
    audit as unknown as AuditService,
    config,
    adapterHost,
  );
  return { guard, audit };
}

function context(controller: new () => { handler(): void }, url: string, auth = true) {
  const request = {
    id: 'r1',
    ip: '127.0.0.1',
    method: 'GET',
    url,
    routeOptions: { url },
    query: {},
    headers: auth ? { authorization: `Bearer sat_${'a'.repeat(43)}` } : {},
  };
  return {
    getType: () => 'http',
    getHandler: () => controller.prototype.handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ header: jest.fn() }) }),
  } as unknown as ExecutionContext;
}

const viewer: Identity = { kind: 'token', id: 't', name: 'v', role: 'viewer' };
const admin: Identity = { ...viewer, role: 'admin' };

describe('AccessGuard: deny by default', () => {
  it('makes an /admin route that declares no role admin-only', async () => {
    await expect(
      guardWith(viewer).guard.canActivate(context(Undeclared, '/admin/v1/new')),
    ).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
      message: expect.stringMatching(/needs the admin role/),
    });
    await expect(
      guardWith(admin).guard.canActivate(context(Undeclared, '/admin/v1/new')),
    ).resolves.toBe(true);
    await expect(
      guardWith(undefined).guard.canActivate(context(Undeclared, '/admin/v1/new', false)),
    ).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
  });

  it('applies a declared role, and lets explicitly public routes through without credentials', async () => {
    await expect(
      guardWith(viewer).guard.canActivate(context(Declared, '/admin/v1/x')),
    ).resolves.toBe(true);
    const { guard, audit } = guardWith(undefined);
    await expect(guard.canActivate(context(Open, '/admin/v1/open', false))).resolves.toBe(true);
    expect(audit.record).not.toHaveBeenCalled();
    expect(audit.recordRefusal).not.toHaveBeenCalled();
  });

  it('leaves undeclared routes outside /admin public', async () => {
    await expect(
      guardWith(undefined).guard.canActivate(context(Undeclared, '/v1/pages', false)),
    ).resolves.toBe(true);
    await expect(
      guardWith(undefined).guard.canActivate(context(Undeclared, '/administrator', false)),
    ).resolves.toBe(true);
  });
});

describe('authFailureKey', () => {
  it('counts an IPv6 client by its /64: another interface id is the same budget', () => {
    const key = authFailureKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(authFailureKey('2001:db8:1:2::1')).toBe(key);
    expect(authFailureKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(authFailureKey('2001:DB8:1:2:0:0:0:9')).toBe(key);
    expect(key).toBe('auth-failure:2001:db8:1:2::');
  });

  it('keeps neighbouring /64s, and IPv4 addresses, apart', () => {
    expect(authFailureKey('2001:db8:1:3::1')).not.toBe(authFailureKey('2001:db8:1:2::1'));
    expect(authFailureKey('198.51.100.7')).toBe('auth-failure:198.51.100.7');
    expect(authFailureKey('198.51.100.8')).not.toBe(authFailureKey('198.51.100.7'));
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(authFailureKey('::ffff:198.51.100.7')).toBe(authFailureKey('198.51.100.7'));
  });
});
