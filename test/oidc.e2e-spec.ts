import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { bearer, createToken } from './support/identities';
import { OidcTestIssuer } from './support/oidc-issuer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function oidcEnv(issuer: string): Record<string, string> {
  return {
    OIDC_ISSUER: issuer,
    OIDC_AUDIENCE: 'sponsored-agents',
    OIDC_ROLES_CLAIM: 'groups',
    OIDC_ROLE_MAP: 'cms-viewers=viewer,cms-publishers=publisher',
    OIDC_CLOCK_SKEW_SECONDS: '30',
    OIDC_HTTP_TIMEOUT_MS: '1000',
    OIDC_JWKS_COOLDOWN_MS: '1000',
    // Each suite refuses more tokens than the default budget of failed logins per address
    // allows in a minute; the budget itself is tested in identity.e2e-spec.ts.
    AUTH_FAILURES_PER_MINUTE: '100',
  };
}

describe('OIDC bearer tokens (against a real local issuer)', () => {
  const issuer = new OidcTestIssuer();
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    await issuer.start();
    t = await startApp(oidcEnv(issuer.issuer));
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
  });

  it('accepts a valid access token with the role its groups map to, and audits the subject', async () => {
    const jwt = await issuer.sign({
      sub: 'u-42',
      claims: { name: 'Pat Publisher', groups: ['staff', 'cms-publishers'] },
    });
    const page = await http()
      .post('/admin/v1/pages')
      .set(bearer(jwt))
      .send({
        slug: 'oidc-made',
        title: 'T',
        agent: { name: 'A' },
        sponsor: { name: 'S', disclosure: 'Sponsored' },
      })
      .expect(201);
    await http()
      .delete(`/admin/v1/pages/${page.body.id}`)
      .set(bearer(jwt))
      .set('If-Match', '"1"')
      .expect(403);
    const audit = await http().get(`/admin/v1/audit?pageId=${page.body.id}`).set(auth).expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'page.created',
      actor: { kind: 'oidc', id: `oidc:${issuer.issuer}#u-42`, name: 'Pat Publisher' },
      role: 'publisher',
    });
  });

  it('names an OIDC user by issuer and subject: one whose name is "bootstrap" is not the bootstrap identity', async () => {
    const jwt = await issuer.sign({
      sub: 'u-77',
      claims: { name: 'bootstrap', groups: ['cms-publishers'] },
    });
    const page = await http()
      .post('/admin/v1/pages')
      .set(bearer(jwt))
      .send({
        slug: 'oidc-impostor',
        title: 'T',
        agent: { name: 'A' },
        sponsor: { name: 'S', disclosure: 'Sponsored' },
      })
      .expect(201);
    const asBootstrap = await http().get('/admin/v1/audit?actor=bootstrap').set(auth).expect(200);
    expect(
      (asBootstrap.body.items as { page?: { id: string } }[]).map((e) => e.page?.id),
    ).not.toContain(page.body.id);
    const actorId = `oidc:${issuer.issuer}#u-77`;
    const mine = await http()
      .get(`/admin/v1/audit?actor=${encodeURIComponent(actorId)}`)
      .set(auth)
      .expect(200);
    expect(mine.body.items).toMatchObject([
      { action: 'page.created', actor: { kind: 'oidc', id: actorId, name: 'bootstrap' } },
    ]);
  });

  it('accepts a token expired by less than the allowed clock skew, not more', async () => {
    const slightly = await issuer.sign({ expiresIn: -10, claims: { groups: ['cms-viewers'] } });
    await http().get('/admin/v1/pages').set(bearer(slightly)).expect(200);
    const expired = await issuer.sign({ expiresIn: -120, claims: { groups: ['cms-viewers'] } });
    const res = await http().get('/admin/v1/pages').set(bearer(expired)).expect(401);
    expect(res.body).toMatchObject({
      error: 'UNAUTHORIZED',
      message: expect.stringMatching(/expired/),
    });
  });

  it('refuses malformed, wrong-audience, wrong-issuer, not-yet-valid, unknown-key and alg:none tokens with 401', async () => {
    const groups = { groups: ['cms-viewers'] };
    const bad = {
      malformed: 'eyJhbGciOiJSUzI1NiJ9.not-json.sig',
      wrongAudience: await issuer.sign({ aud: 'another-service', claims: groups }),
      wrongIssuer: await issuer.sign({ iss: 'https://evil.example', claims: groups }),
      notYetValid: await issuer.sign({ notBefore: 600, claims: groups }),
      unknownKey: await issuer.sign({ unpublishedKey: true, claims: groups }),
      algNone: issuer.unsigned(groups),
    };
    for (const [name, jwt] of Object.entries(bad)) {
      const res = await http().get('/admin/v1/pages').set(bearer(jwt));
      expect({ name, status: res.status, error: res.body.error }).toEqual({
        name,
        status: 401,
        error: 'UNAUTHORIZED',
      });
    }
  });

  it('takes only access tokens (typ at+jwt): an ID token of the same issuer and audience gets 401', async () => {
    const claims = { groups: ['cms-viewers'] };
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
      const jwt = await issuer.sign({ typ, claims });
      await http().get('/admin/v1/pages').set(bearer(jwt)).expect(200);
    }
    for (const typ of ['JWT', null]) {
      const jwt = await issuer.sign({ typ, claims });
      const res = await http().get('/admin/v1/pages').set(bearer(jwt));
      expect({ typ, status: res.status, body: res.body }).toMatchObject({
        typ,
        status: 401,
        body: { error: 'UNAUTHORIZED', message: 'Invalid OIDC token: claim typ is not valid' },
      });
    }
  });

  it('answers 403 to a valid token whose groups map to no role, and audits the refusal under that person', async () => {
    const sub = `no-role-${Date.now()}`;
    const jwt = await issuer.sign({ sub, claims: { groups: ['marketing'] } });
    const res = await http().get('/admin/v1/pages').set(bearer(jwt)).expect(403);
    expect(res.body.message).toMatch(/OIDC_ROLE_MAP/);
    const actor = `oidc:${issuer.issuer}#${sub}`;
    const audit = await http()
      .get('/admin/v1/audit')
      .query({ action: 'auth.forbidden', actor })
      .set(auth)
      .expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor).toMatchObject({ kind: 'oidc', id: actor });
  });

  it('follows key rotation: a token signed with the new key works once the issuer publishes it', async () => {
    await http()
      .get('/admin/v1/pages')
      .set(bearer(await issuer.sign({ claims: { groups: ['cms-viewers'] } })))
      .expect(200);
    await issuer.rotate();
    await sleep(1100); // past OIDC_JWKS_COOLDOWN_MS: an unknown kid may refetch the key set
    const fresh = await issuer.sign({ claims: { groups: ['cms-viewers'] } });
    await http().get('/admin/v1/pages').set(bearer(fresh)).expect(200);
  });
});

describe('OIDC_REQUIRED_TOKEN_TYPE=any (for issuers that do not type their access tokens)', () => {
  const issuer = new OidcTestIssuer();
  let t: TestApp;

  beforeAll(async () => {
    await issuer.start();
    t = await startApp({ ...oidcEnv(issuer.issuer), OIDC_REQUIRED_TOKEN_TYPE: 'any' });
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
  });

  it('accepts a token whatever its typ, every other check still made', async () => {
    const http = () => request(t.app.getHttpServer());
    const claims = { groups: ['cms-viewers'] };
    for (const typ of ['JWT', null, 'at+jwt']) {
      const jwt = await issuer.sign({ typ, claims });
      await http().get('/admin/v1/pages').set(bearer(jwt)).expect(200);
    }
    const wrongAudience = await issuer.sign({ typ: 'JWT', aud: 'another-service', claims });
    await http().get('/admin/v1/pages').set(bearer(wrongAudience)).expect(401);
  });
});

describe('OIDC with the issuer unreachable', () => {
  it('refuses JWTs with 401 while API tokens and the bootstrap token keep working', async () => {
    const issuer = await new OidcTestIssuer().start();
    const jwt = await issuer.sign({ claims: { groups: ['cms-viewers'] } });
    const url = issuer.issuer;
    await issuer.stop();
    const t = await startApp(oidcEnv(url));
    try {
      const http = () => request(t.app.getHttpServer());
      const res = await http().get('/admin/v1/pages').set(bearer(jwt)).expect(401);
      expect(res.body.message).toMatch(/issuer unavailable/);
      const token = await createToken(t.app, 'viewer');
      await http().get('/admin/v1/pages').set(token.auth).expect(200);
      await http().get('/admin/v1/pages').set(auth).expect(200);
    } finally {
      await t.close();
    }
  });

  it('refuses JWTs with 401 when the key set goes away after discovery', async () => {
    const issuer = await new OidcTestIssuer().start();
    const t = await startApp(oidcEnv(issuer.issuer));
    try {
      const http = () => request(t.app.getHttpServer());
      const ok = await issuer.sign({ claims: { groups: ['cms-viewers'] } });
      await http().get('/admin/v1/pages').set(bearer(ok)).expect(200);
      await issuer.rotate();
      const newKid = await issuer.sign({ claims: { groups: ['cms-viewers'] } });
      await issuer.stop();
      await sleep(1100);
      await http().get('/admin/v1/pages').set(bearer(newKid)).expect(401);
    } finally {
      await t.close();
    }
  });
});
