import { Types } from 'mongoose';
import type { Identity } from '../../core/auth/identity';
import { AppConfig } from '../../core/config/app-config';
import { ErrorCode } from '../../core/errors/error-code';
import type { AuditService } from '../audit/audit.service';
import type { ApiTokensRepository, ApiTokenView } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { hashTokenSecret, newTokenSecret } from './token-secret';

const config = AppConfig.fromEnvironment({
  MONGODB_URI: 'mongodb://db.example:27017/pages',
  ADMIN_TOKEN: 'x'.repeat(32),
  API_TOKEN_CACHE_TTL_MS: '5000',
});

function service(
  stored: Map<string, ApiTokenView> = new Map(),
  revoked: ReadonlySet<string> = new Set(),
) {
  const repo = {
    insert: jest.fn(async () => undefined),
    findByHash: jest.fn(async (hash: string) => stored.get(hash) ?? null),
    findById: jest.fn(
      async (id: string) => [...stored.values()].find((t) => t._id.toHexString() === id) ?? null,
    ),
    anyRevoked: jest.fn(async (ids: string[]) => ids.some((id) => revoked.has(id))),
    touch: jest.fn(async () => undefined),
  };
  const audit = { register: jest.fn(), deliver: jest.fn(async () => undefined) };
  return {
    tokens: new ApiTokensService(
      repo as unknown as ApiTokensRepository,
      audit as unknown as AuditService,
      config,
    ),
    repo,
    audit,
  };
}

const as = (role: Identity['role']) => ({
  requestId: 'r',
  actor: role,
  identity: { kind: 'token' as const, id: 't', name: role, role },
});

describe('ApiTokensService', () => {
  it("never grants a role above the creator's", async () => {
    const { tokens, repo } = service();
    await expect(
      tokens.create({ name: 'up', role: 'admin' }, as('publisher')),
    ).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    await expect(
      tokens.create({ name: 'same', role: 'publisher' }, as('publisher')),
    ).resolves.toBeDefined();
    expect(repo.insert).toHaveBeenCalledTimes(1);
  });

  it('stores the hash with the audit entry in the same document, never the secret', async () => {
    const { tokens, repo, audit } = service();
    const { secret } = await tokens.create({ name: 'n', role: 'viewer' }, as('admin'));
    const [[record]] = repo.insert.mock.calls as unknown as [[Record<string, unknown>]];
    expect(record.hash).toBe(hashTokenSecret(secret));
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(record.auditOutbox).toEqual([expect.objectContaining({ action: 'token.created' })]);
    expect(audit.deliver).toHaveBeenCalledTimes(1);
  });

  it('caches a lookup for the TTL, then reads again (the revocation bound)', async () => {
    const secret = newTokenSecret();
    const token: ApiTokenView = {
      _id: new Types.ObjectId(),
      name: 'n',
      role: 'viewer',
      createdBy: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
      createdAt: new Date(),
    };
    const stored = new Map([[hashTokenSecret(secret), token]]);
    const { tokens, repo } = service(stored);
    const t0 = Date.now();
    await tokens.authenticate(secret, t0);
    stored.set(hashTokenSecret(secret), { ...token, revokedAt: new Date() });
    await expect(tokens.authenticate(secret, t0 + 4999)).resolves.toMatchObject({ role: 'viewer' });
    await expect(tokens.authenticate(secret, t0 + 5000)).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
      message: expect.stringMatching(/revoked/),
    });
    expect(repo.findByHash).toHaveBeenCalledTimes(2);
    // lastUsedAt: written once for the first use, not for every request within the minute.
    expect(repo.touch).toHaveBeenCalledTimes(1);
  });

  const DAY = 86_400_000;
  const stored = (fields: Partial<ApiTokenView> = {}): ApiTokenView => ({
    _id: new Types.ObjectId(),
    name: 'n',
    role: 'admin',
    createdBy: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
    createdAt: new Date(),
    ...fields,
  });
  const asToken = (token: ApiTokenView) => ({
    requestId: 'r',
    actor: token.name,
    identity: {
      kind: 'token' as const,
      id: `token:${token._id.toHexString()}`,
      name: token.name,
      role: token.role,
    },
  });

  it('gives every new token an expiry within API_TOKEN_MAX_LIFETIME_DAYS, and refuses a later one', async () => {
    const { tokens } = service();
    const now = new Date('2030-01-01T00:00:00Z');
    const { token } = await tokens.create({ name: 'n', role: 'viewer' }, as('admin'), now);
    expect(token.expiresAt).toEqual(new Date(now.getTime() + 365 * DAY));
    await expect(
      tokens.create(
        { name: 'n', role: 'viewer', expiresAt: new Date(now.getTime() + 366 * DAY) },
        as('admin'),
        now,
      ),
    ).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: expect.stringMatching(/365 days ahead \(API_TOKEN_MAX_LIFETIME_DAYS\)/),
    });
  });

  it('records the lineage of a token made by a token, which it cannot outlive', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const root = stored({ expiresAt: new Date(now.getTime() + 30 * DAY) });
    const parent = stored({ lineage: [root._id.toHexString()] });
    const { tokens } = service(new Map([['p', parent]]));
    const { token } = await tokens.create({ name: 'c', role: 'viewer' }, asToken(parent), now);
    expect(token.lineage).toEqual([root._id.toHexString(), parent._id.toHexString()]);
    expect(token.createdBy).toEqual({
      kind: 'token',
      id: `token:${parent._id.toHexString()}`,
      name: parent.name,
    });
    // The parent has no stored expiry: it stops a lifetime after its creation, and so does this.
    expect(token.expiresAt).toEqual(new Date(parent.createdAt.getTime() + 365 * DAY));
    const young = stored({ expiresAt: new Date(now.getTime() + DAY) });
    const { tokens: t2 } = service(new Map([['y', young]]));
    await expect(
      t2.create(
        { name: 'c', role: 'viewer', expiresAt: new Date(now.getTime() + 2 * DAY) },
        asToken(young),
        now,
      ),
    ).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
  });

  it('records no lineage for a token a person made', async () => {
    const { tokens } = service();
    const { token } = await tokens.create({ name: 'n', role: 'viewer' }, as('admin'));
    expect(token.lineage).toEqual([]);
  });

  it('refuses a token below a revoked one, and a stored token past the longest lifetime', async () => {
    const secret = newTokenSecret();
    const ancestor = new Types.ObjectId().toHexString();
    const child = stored({ lineage: [ancestor] });
    const { tokens } = service(new Map([[hashTokenSecret(secret), child]]), new Set([ancestor]));
    await expect(tokens.authenticate(secret)).rejects.toMatchObject({
      code: ErrorCode.Unauthorized,
      message: expect.stringMatching(/revoked/),
    });
    const old = newTokenSecret();
    const legacy = stored({ createdAt: new Date(Date.now() - 366 * DAY), expiresAt: null });
    const { tokens: t2 } = service(new Map([[hashTokenSecret(old), legacy]]));
    await expect(t2.authenticate(old)).rejects.toMatchObject({
      message: expect.stringMatching(/expired/),
    });
  });
});
