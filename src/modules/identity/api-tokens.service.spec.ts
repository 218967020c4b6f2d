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

function service(stored: Map<string, ApiTokenView> = new Map()) {
  const repo = {
    insert: jest.fn(async () => undefined),
    findByHash: jest.fn(async (hash: string) => stored.get(hash) ?? null),
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
});
