import { getConnectionToken } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { type Connection, Types } from 'mongoose';
import { AuditService } from '../src/modules/audit/audit.service';
import { ApiTokensService } from '../src/modules/identity/api-tokens.service';
import { ADMIN_TOKEN, auth, startApp, type TestApp } from './support/app';
import { bearer, createToken, staffTokens } from './support/identities';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('API tokens and roles', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp({ API_TOKEN_CACHE_TTL_MS: '1000' });
  });
  afterAll(() => t.close());

  it('shows a new token once, lists it without the secret, and stores only its SHA-256', async () => {
    const res = await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send({ name: 'alice laptop', role: 'editor' })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'alice laptop',
      role: 'editor',
      createdBy: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
      revokedAt: null,
      lastUsedAt: null,
    });
    const secret = res.body.token as string;
    expect(secret).toMatch(/^sat_[A-Za-z0-9_-]{43}$/);

    const list = await http().get('/admin/v1/tokens').set(auth).expect(200);
    const listed = (list.body.items as Record<string, unknown>[]).find((i) => i.id === res.body.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(listed).not.toHaveProperty('token');

    const stored = await t.app
      .get<Connection>(getConnectionToken())
      .collection('api_tokens')
      .findOne({ name: 'alice laptop' });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored?.hash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  it('answers 401 for an unknown token and a malformed header', async () => {
    const unknown = `sat_${'A'.repeat(43)}`;
    const res = await http().get('/admin/v1/pages').set(bearer(unknown)).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    await http().get('/admin/v1/pages').set('Authorization', 'Basic abc').expect(401);
    await http().get('/admin/v1/pages').expect(401);
  });

  it('answers 403 naming the role needed when the token role is too low', async () => {
    const tokens = await staffTokens(t.app);
    await http().get('/admin/v1/pages').set(tokens.viewer.auth).expect(200);
    const res = await http().post('/admin/v1/pages').set(tokens.viewer.auth).send({}).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
    expect(res.body.message).toMatch(/needs the editor role/);
    expect(res.body.requestId).toEqual(expect.any(String));
    const audit = await http().get('/admin/v1/audit?action=auth.forbidden').set(auth).expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'auth.forbidden',
      actor: { kind: 'token', id: tokens.viewer.actorId, name: tokens.viewer.name },
      role: 'viewer',
      target: { type: 'route', id: 'POST /admin/v1/pages' },
      details: { required: 'editor' },
      requestId: res.body.requestId,
    });
  });

  it('refuses a publisher creating an admin token with 403, and managing tokens at all', async () => {
    const publisher = await createToken(t.app, 'publisher', 'pat');
    const res = await http()
      .post('/admin/v1/tokens')
      .set(publisher.auth)
      .send({ name: 'escalate', role: 'admin' })
      .expect(403);
    expect(res.body.message).toMatch(/admin role/);
    await http().get('/admin/v1/tokens').set(publisher.auth).expect(403);
    await http().delete(`/admin/v1/tokens/${publisher.id}`).set(publisher.auth).expect(403);
  });

  it('refuses bad token requests with 400', async () => {
    await http().post('/admin/v1/tokens').set(auth).send({ name: 'x', role: 'owner' }).expect(400);
    await http().post('/admin/v1/tokens').set(auth).send({ role: 'viewer' }).expect(400);
    await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send({ name: 'x', role: 'viewer', expiresAt: '2000-01-01T00:00:00Z' })
      .expect(400);
    await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send({ name: 'x', role: 'viewer', hash: 'mine' })
      .expect(400);
    await http().delete('/admin/v1/tokens/not-an-id').set(auth).expect(404);
  });

  it('refuses a revoked token with 401, on this replica at once and on another within the cache TTL', async () => {
    const other = await startApp({
      MONGODB_URI: t.config.mongo.uri,
      API_TOKEN_CACHE_TTL_MS: '1000',
    });
    try {
      const token = await createToken(t.app, 'viewer', 'soon-revoked');
      await request(other.app.getHttpServer()).get('/admin/v1/pages').set(token.auth).expect(200);
      await http().delete(`/admin/v1/tokens/${token.id}`).set(auth).expect(204);
      const res = await http().get('/admin/v1/pages').set(token.auth).expect(401);
      expect(res.body.message).toMatch(/revoked/);
      await sleep(1100);
      await request(other.app.getHttpServer()).get('/admin/v1/pages').set(token.auth).expect(401);
      // Revoking again changes nothing.
      await http().delete(`/admin/v1/tokens/${token.id}`).set(auth).expect(204);
      const listed = await http().get('/admin/v1/tokens?limit=100').set(auth).expect(200);
      expect(listed.body.items.find((i: { id: string }) => i.id === token.id)).toMatchObject({
        revokedBy: { kind: 'bootstrap', name: 'bootstrap' },
        revokedAt: expect.any(String),
      });
    } finally {
      await other.app.close();
    }
  });

  it('refuses an expired token with 401', async () => {
    const token = await createToken(t.app, 'viewer', 'short-lived', auth, {
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    await http().get('/admin/v1/pages').set(token.auth).expect(200);
    await sleep(1600);
    const res = await http().get('/admin/v1/pages').set(token.auth).expect(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it('records when a token was last used, off the request path', async () => {
    const token = await createToken(t.app, 'viewer', 'used-once');
    await http().get('/admin/v1/pages').set(token.auth).expect(200);
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 50 && !lastUsedAt; i++) {
      await sleep(100);
      const list = await http().get('/admin/v1/tokens?limit=100').set(auth).expect(200);
      lastUsedAt = list.body.items.find((x: { id: string }) => x.id === token.id).lastUsedAt;
    }
    expect(lastUsedAt).not.toBeNull();
  });

  it('audits token creation and revocation with who did it', async () => {
    const admin = await createToken(t.app, 'admin', 'root-2');
    const made = await createToken(t.app, 'editor', 'made-by-admin', admin.auth);
    await http().delete(`/admin/v1/tokens/${made.id}`).set(admin.auth).expect(204);
    const res = await http().get(`/admin/v1/audit?actor=${admin.actorId}`).set(auth).expect(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual([
      'token.revoked',
      'token.created',
    ]);
    expect(res.body.items[1]).toMatchObject({
      actor: { kind: 'token', id: admin.actorId, name: 'root-2' },
      role: 'admin',
      target: { type: 'token', id: made.id },
      details: { name: 'made-by-admin', role: 'editor' },
    });
  });
});

describe('token lineage and lifetime', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const DAY = 86_400_000;
  type Listed = {
    id: string;
    createdBy: { kind: string; id: string; name: string };
    lineage: string[];
    expiresAt: string | null;
    revokedAt: string | null;
    revokedVia: string | null;
  };
  const listed = async (id: string): Promise<Listed> => {
    const res = await http().get('/admin/v1/tokens?limit=100').set(auth).expect(200);
    return (res.body.items as Listed[]).find((i) => i.id === id)!;
  };

  beforeAll(async () => {
    t = await startApp({ API_TOKEN_CACHE_TTL_MS: '0', AUDIT_DRAIN_INTERVAL_MS: '600000' });
  });
  afterAll(() => t.close());

  it('revoking a token revokes the tokens it minted, transitively, and the list shows who made each', async () => {
    const a = await createToken(t.app, 'admin', 'lineage-a');
    const b = await createToken(t.app, 'admin', 'lineage-b', a.auth);
    const c = await createToken(t.app, 'viewer', 'lineage-c', b.auth);
    const other = await createToken(t.app, 'viewer', 'lineage-other');
    expect(await listed(a.id)).toMatchObject({
      createdBy: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
      lineage: [],
    });
    expect(await listed(b.id)).toMatchObject({
      createdBy: { kind: 'token', id: a.actorId, name: 'lineage-a' },
      lineage: [a.id],
    });
    expect(await listed(c.id)).toMatchObject({
      createdBy: { kind: 'token', id: b.actorId, name: 'lineage-b' },
      lineage: [a.id, b.id],
    });
    await http().get('/admin/v1/pages').set(c.auth).expect(200);

    await http().delete(`/admin/v1/tokens/${a.id}`).set(auth).expect(204);
    for (const token of [a, b, c]) {
      const res = await http().get('/admin/v1/pages').set(token.auth).expect(401);
      expect(res.body.message).toMatch(/revoked/);
    }
    await http().get('/admin/v1/pages').set(other.auth).expect(200);
    expect(await listed(c.id)).toMatchObject({
      revokedAt: expect.any(String),
      revokedVia: a.id,
    });
    expect(await listed(other.id)).toMatchObject({ revokedAt: null, revokedVia: null });
  });

  it('refuses a token below a revoked one even when the revocation’s cascade has not run yet', async () => {
    const a = await createToken(t.app, 'admin', 'crash-a');
    const b = await createToken(t.app, 'viewer', 'crash-b', a.auth);
    // As a process dying right after the revocation's own update leaves it: the token revoked,
    // its entry carried, nothing below it touched.
    const entryId = new Types.ObjectId().toHexString();
    await db()
      .collection('api_tokens')
      .updateOne(
        { _id: new Types.ObjectId(a.id) },
        {
          $set: {
            revokedAt: new Date(),
            revokedBy: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
          },
          $push: {
            auditOutbox: {
              id: entryId,
              at: new Date(Date.now() - 10_000),
              action: 'token.revoked',
              actor: { kind: 'bootstrap', id: 'bootstrap', name: 'bootstrap' },
              target: { type: 'token', id: a.id },
            },
          } as never,
        },
      );
    expect(await listed(b.id)).toMatchObject({ revokedAt: null });
    await http().get('/admin/v1/pages').set(b.auth).expect(401);
    // The drain loop finishes the cascade and delivers the entry.
    await t.app.get(AuditService).drain();
    expect(await listed(b.id)).toMatchObject({ revokedAt: expect.any(String), revokedVia: a.id });
    const stored = await db()
      .collection('api_tokens')
      .findOne({ _id: new Types.ObjectId(a.id) });
    expect(stored?.auditOutbox).toEqual([]);
  });

  it('gives a token without expiresAt the longest lifetime, and refuses a longer one with 400 naming the limit', async () => {
    const before = Date.now();
    const res = await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send({ name: 'no-expiry', role: 'viewer' })
      .expect(201);
    const expiresAt = Date.parse(res.body.expiresAt as string);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 365 * DAY);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 365 * DAY);
    const tooLong = await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send({
        name: 'forever',
        role: 'viewer',
        expiresAt: new Date(Date.now() + 400 * DAY).toISOString(),
      })
      .expect(400);
    expect(tooLong.body).toMatchObject({ statusCode: 400, error: 'VALIDATION_FAILED' });
    expect(tooLong.body.message).toMatch(/365 days ahead \(API_TOKEN_MAX_LIFETIME_DAYS\)/);
    // A token made by a token lives no longer than its maker.
    const parent = await createToken(t.app, 'admin', 'short-parent', auth, {
      expiresAt: new Date(Date.now() + 2 * DAY).toISOString(),
    });
    const child = await http()
      .post('/admin/v1/tokens')
      .set(parent.auth)
      .send({ name: 'child', role: 'viewer' })
      .expect(201);
    expect(child.body.expiresAt).toBe((await listed(parent.id)).expiresAt);
  });

  const db = () => t.app.get<Connection>(getConnectionToken());
});

describe('the bootstrap identity', () => {
  it('can be turned off while API tokens keep working', async () => {
    const t = await startApp({ ADMIN_TOKEN_ENABLED: 'false' });
    try {
      const { secret } = await t.app.get(ApiTokensService).create(
        { name: 'first', role: 'admin' },
        {
          requestId: 'setup',
          actor: 'cli',
          identity: { kind: 'cli', id: 'cli', name: 'cli', role: 'admin' },
        },
      );
      const http = request(t.app.getHttpServer());
      await http.get('/admin/v1/pages').set(bearer(ADMIN_TOKEN)).expect(401);
      await request(t.app.getHttpServer()).get('/admin/v1/pages').set(bearer(secret)).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After to the 11th failed login from one address in a minute', async () => {
    const t = await startApp();
    try {
      const http = () => request(t.app.getHttpServer());
      const wrong = bearer('not-the-token-0123456789');
      for (let i = 0; i < 10; i++) await http().get('/admin/v1/pages').set(wrong).expect(401);
      const res = await http().get('/admin/v1/pages').set(wrong).expect(429);
      expect(res.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Blocked means blocked: a right guess from that address does not get through either.
      await http().get('/admin/v1/pages').set(auth).expect(429);
      // X-Forwarded-For is not believed from an untrusted peer: no way around the limit.
      await http()
        .get('/admin/v1/pages')
        .set(auth)
        .set('X-Forwarded-For', '198.51.100.7')
        .expect(429);
      // The public API is not behind authentication, so not behind its limit.
      await http().get('/v1/pages').expect(200);
    } finally {
      await t.close();
    }
  });

  it('counts per client address behind a trusted proxy, as the audit trail records it', async () => {
    const t = await startApp({ TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const http = () => request(t.app.getHttpServer());
      const wrong = bearer('not-the-token-0123456789');
      for (let i = 0; i < 11; i++)
        await http().get('/admin/v1/pages').set(wrong).set('X-Forwarded-For', '198.51.100.7');
      await http()
        .get('/admin/v1/pages')
        .set(auth)
        .set('X-Forwarded-For', '198.51.100.7')
        .expect(429);
      await http()
        .get('/admin/v1/pages')
        .set(auth)
        .set('X-Forwarded-For', '198.51.100.8')
        .expect(200);
      const viewer = await createToken(t.app, 'viewer');
      await http()
        .post('/admin/v1/pages')
        .set(viewer.auth)
        .set('X-Forwarded-For', '203.0.113.50, 198.51.100.9')
        .send({})
        .expect(403);
      const audit = await http()
        .get('/admin/v1/audit?action=auth.forbidden')
        .set(auth)
        .set('X-Forwarded-For', '198.51.100.8')
        .expect(200);
      expect(audit.body.items[0].sourceIp).toBe('198.51.100.9');
    } finally {
      await t.close();
    }
  });

  it('counts IPv6 failures by /64: a new interface id does not reset the budget', async () => {
    const t = await startApp({ TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const http = () => request(t.app.getHttpServer());
      const wrong = bearer('not-the-token-0123456789');
      // Each attempt from another address of one /64, as a host picking interface ids would.
      for (let i = 0; i < 10; i++)
        await http()
          .get('/admin/v1/pages')
          .set(wrong)
          .set('X-Forwarded-For', `2001:db8:5:6:${(i + 1).toString(16)}::${i + 7}`)
          .expect(401);
      const res = await http()
        .get('/admin/v1/pages')
        .set(auth)
        .set('X-Forwarded-For', '2001:db8:5:6:ffff:eeee:dddd:cccc')
        .expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The next /64 is another budget.
      await http()
        .get('/admin/v1/pages')
        .set(auth)
        .set('X-Forwarded-For', '2001:db8:5:7::1')
        .expect(200);
    } finally {
      await t.close();
    }
  });

  it('counts refused requests against the identity’s budget (429 past it) and audits them one row a minute', async () => {
    const t = await startApp({ ADMIN_WRITES_PER_MINUTE: '10' });
    try {
      const http = () => request(t.app.getHttpServer());
      const viewer = await createToken(t.app, 'viewer', 'prober');
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 15; i++) {
        const res = await http().post('/admin/v1/pages').set(viewer.auth).send({});
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers['retry-after'];
      }
      expect(statuses).toEqual([...Array<number>(10).fill(403), ...Array<number>(5).fill(429)]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const audit = await http()
        .get(`/admin/v1/audit?action=auth.forbidden&actor=${viewer.actorId}`)
        .set(auth)
        .expect(200);
      // One row for the identity and route in this minute (two if the minute turned meanwhile).
      const rows = audit.body.items as {
        count: number;
        target: { id: string };
        at: string;
        lastAt: string;
      }[];
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(2);
      expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(10);
      expect(rows.every((r) => r.target.id === 'POST /admin/v1/pages')).toBe(true);
      expect(rows.every((r) => r.lastAt >= r.at)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('limits admin writes per identity', async () => {
    const t = await startApp({ ADMIN_WRITES_PER_MINUTE: '3' });
    try {
      const http = () => request(t.app.getHttpServer());
      const a = await createToken(t.app, 'editor', 'busy'); // 1 write by bootstrap
      for (let i = 0; i < 3; i++)
        await http().post('/admin/v1/pages').set(a.auth).send({}).expect(400);
      const res = await http().post('/admin/v1/pages').set(a.auth).send({}).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      await http().get('/admin/v1/pages').set(a.auth).expect(200); // reads are not limited
      const b = await createToken(t.app, 'editor', 'calm'); // bootstrap: its 2nd write
      await http().post('/admin/v1/pages').set(b.auth).send({}).expect(400);
    } finally {
      await t.close();
    }
  });
});
