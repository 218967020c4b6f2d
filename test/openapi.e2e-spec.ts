import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import type { components, paths } from './generated/openapi';
import { auth, startApp, type TestApp } from './support/app';
import { newSlug } from './support/factories';

// Types generated from the committed docs/openapi.json (npm run openapi:types): a document change
// that breaks clients breaks the type check of this file.
type Schemas = components['schemas'];
type CreatePage = Schemas['CreatePageDto'];
type Page = paths['/admin/v1/pages/{id}']['get']['responses'][200]['content']['application/json'];
type PublicPage = paths['/v1/pages/{slug}']['get']['responses'][200]['content']['application/json'];
type ErrorBody = Schemas['ErrorResponseDto'];

interface Schema {
  $ref?: string;
  type?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
}
interface Operation {
  operationId: string;
  requestBody?: {
    content: Record<string, { schema: Schema; examples?: Record<string, { value: unknown }> }>;
  };
  responses: Record<
    string,
    { description?: string; links?: Record<string, { operationId: string }> }
  >;
}
const doc = JSON.parse(readFileSync(resolve(__dirname, '../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The example Swagger UI shows for a schema: examples, else defaults, enum[0], placeholders. */
function exampleOf(schema: Schema): unknown {
  if (schema.$ref) return exampleOf(doc.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.example !== undefined) return schema.example;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => exampleOf(s)));
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  switch (schema.type ?? 'string') {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v)]),
      );
    case 'array':
      return [exampleOf(schema.items ?? {})];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return 'string';
  }
}

/** The body Swagger UI shows: the operation's first named example, else the schema's. */
function documentedBody(path: string, method: string): Record<string, unknown> {
  const media = doc.paths[path][method].requestBody!.content['application/json'];
  const named = Object.values(media.examples ?? {});
  return (named.length ? named[0].value : exampleOf(media.schema)) as Record<string, unknown>;
}

/**
 * A dated example (a term, a scheduled action, a token's expiry) must lie ahead of now, so no
 * fixed date stays valid: those fields are made fresh, each a different number of days ahead and
 * in the form the example uses (with its offset, or as a wall-clock time), like the slugs.
 */
function withFreshDates(body: Record<string, unknown>): Record<string, unknown> {
  const days = { startsAt: 30, at: 40, endsAt: 60, expiresAt: 90 } as const;
  const out: Record<string, unknown> = { ...body };
  for (const [field, ahead] of Object.entries(days)) {
    const value = out[field];
    if (typeof value !== 'string') continue;
    const iso = new Date(Date.now() + ahead * 86_400_000).toISOString().slice(0, 16);
    const offset = /(Z|[+-]\d\d:\d\d)$/.exec(value)?.[1];
    out[field] = offset ? `${iso}:00${offset}` : iso;
  }
  return out;
}

const operations = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod));

describe('the OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t?.close());

  it('documents every response with a description and every error as JSON ErrorResponseDto', () => {
    for (const op of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        expect({ op: op.operationId, status, description: response.description }).toEqual({
          op: op.operationId,
          status,
          description: expect.stringMatching(/\S/),
        });
      }
    }
  });

  it('declares 413 (PAYLOAD_TOO_LARGE, the error shape) on every operation that takes a body, as answered', async () => {
    const withBody = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod)
        .filter(([, op]) => op.requestBody)
        .map(([method, op]) => ({ path, method, op })),
    );
    expect(withBody.length).toBeGreaterThan(5);
    // Over BODY_LIMIT_BYTES (256 KiB by default) and otherwise a plausible body.
    const oversized = JSON.stringify({ title: 'x'.repeat(300 * 1024) });
    for (const { path, method, op } of withBody) {
      const declared = op.responses['413'] as
        { content?: Record<string, { schema: Schema; examples?: object }> } | undefined;
      const json = declared?.content?.['application/json'];
      expect({ op: op.operationId, schema: json?.schema.$ref }).toEqual({
        op: op.operationId,
        schema: '#/components/schemas/ErrorResponseDto',
      });
      expect(Object.keys(json?.examples ?? {})).toEqual(['PAYLOAD_TOO_LARGE']);

      const url = path
        .replace('{id}', '665f1c2a4e8d2b4c519a433c')
        .replace('{eventId}', '0b6f8f0e-7a51-4c47-9f55-0d0f2b5f3f9a');
      const res = await http()
        [method as 'post' | 'put' | 'patch'](url)
        .set(auth)
        .set('If-Match', '"1"')
        .set('Content-Type', 'application/json')
        .send(oversized);
      expect({ op: op.operationId, status: res.status, error: res.body.error }).toEqual({
        op: op.operationId,
        status: 413,
        error: 'PAYLOAD_TOO_LARGE',
      });
    }
  });

  it('links only to operations that exist', () => {
    const ids = new Set(operations.map((op) => op.operationId));
    const targets = operations.flatMap((op) =>
      Object.values(op.responses).flatMap((r) => Object.values(r.links ?? {})),
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const link of targets) expect(ids).toContain(link.operationId);
  });

  it('accepts every documented request example as shown (only slugs and dates made fresh)', async () => {
    const created = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send({ ...documentedBody('/admin/v1/pages', 'post'), slug: newSlug() })
      .expect(201);
    let page = created.body as Page;
    const ifMatch = () => ({ 'If-Match': `"${page.version}"` });

    const patch = documentedBody('/admin/v1/pages/{id}', 'patch');
    const term = withFreshDates(patch.sponsorship as Record<string, unknown>);
    const updated = await http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(auth)
      .set(ifMatch())
      .send({ ...patch, slug: newSlug(), sponsorship: term })
      .expect(200);
    page = updated.body as Page;
    expect(page.sponsorship?.endsAt).toBe(new Date(term.endsAt as string).toISOString());

    const base = `/admin/v1/pages/${page.id}/schedule`;
    const tz = await http()
      .put(`${base}/timezone`)
      .set(auth)
      .set(ifMatch())
      .send(documentedBody('/admin/v1/pages/{id}/schedule/timezone', 'put'))
      .expect(200);
    page = { ...page, version: Number(String(tz.headers.etag).replace(/"/g, '')) };

    const added = await http()
      .post(`${base}/events`)
      .set(auth)
      .set(ifMatch())
      .send(documentedBody('/admin/v1/pages/{id}/schedule/events', 'post'))
      .expect(201);
    const event = added.body as Schemas['EventResponseDto'];
    page = { ...page, version: Number(String(added.headers.etag).replace(/"/g, '')) };

    const changed = await http()
      .patch(`${base}/events/${event.id}`)
      .set(auth)
      .set(ifMatch())
      .send(documentedBody('/admin/v1/pages/{id}/schedule/events/{eventId}', 'patch'))
      .expect(200);
    page = { ...page, version: Number(String(changed.headers.etag).replace(/"/g, '')) };

    await http()
      .post(`${base}/events/${event.id}/cancellations`)
      .set(auth)
      .set(ifMatch())
      .send(documentedBody('/admin/v1/pages/{id}/schedule/events/{eventId}/cancellations', 'post'))
      .expect(201);

    await http()
      .post('/admin/v1/cache/invalidations')
      .set(auth)
      .send(documentedBody('/admin/v1/cache/invalidations', 'post'))
      .expect(202);

    await http()
      .post(`/admin/v1/pages/${page.id}/actions`)
      .set(auth)
      .send(withFreshDates(documentedBody('/admin/v1/pages/{id}/actions', 'post')))
      .expect(201);

    const token = await http()
      .post('/admin/v1/tokens')
      .set(auth)
      .send(withFreshDates(documentedBody('/admin/v1/tokens', 'post')))
      .expect(201);
    expect((token.body as Schemas['CreatedTokenDto']).token).toMatch(/^sat_/);
  });

  it('a client typed from the document creates, publishes and reads a page', async () => {
    const body: CreatePage = {
      slug: newSlug(),
      title: 'Jane Doe',
      agent: { name: 'Jane Doe', websiteUrl: 'https://janedoe.example.com' },
      sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
      timezone: 'America/Chicago',
    };
    const created = (await http().post('/admin/v1/pages').set(auth).send(body).expect(201))
      .body as Page;
    const published = (
      await http()
        .post(`/admin/v1/pages/${created.id}/publish`)
        .set(auth)
        .set('If-Match', `"${created.version}"`)
        .expect(200)
    ).body as Page;
    expect(published.status).toBe('published');
    const live = (await http().get(`/v1/pages/${body.slug}`).expect(200)).body as PublicPage;
    expect(live.agent.websiteUrl).toBe(body.agent.websiteUrl);
    expect(live.schedule.timezone).toBe('America/Chicago');
  });

  it('answers 405 with Allow for a known path and an unknown method, in the error shape', async () => {
    const res = await http().put('/v1/pages').expect(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    const error = res.body as ErrorBody;
    expect(error).toMatchObject({ statusCode: 405, error: 'METHOD_NOT_ALLOWED' });
    expect(error.requestId).toEqual(expect.any(String));
    const onParams = await http().delete('/v1/pages/jane-doe/schedule.ics').expect(405);
    expect(onParams.headers.allow).toBe('GET, HEAD');
    const admin = await http().put('/admin/v1/pages/665f1c2a4e8d2b4c519a433c').expect(405);
    expect(admin.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
    await http().put('/v1/nothing-here').expect(404);
  });

  it('serves Swagger UI compressed, with the document fetched once from /docs-json', async () => {
    // inject: the bytes as sent (supertest would decompress them).
    const bundle = await t.app.inject({
      method: 'GET',
      url: '/docs/swagger-ui-bundle.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(bundle.rawPayload).length).toBeGreaterThan(bundle.rawPayload.length * 3);

    const init = await http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/docs-json');
    expect(init.text).not.toContain('"paths"');
    expect(init.text).toMatch(/"persistAuthorization": ?true/);

    const json = await http().get('/docs-json').expect(200);
    expect(JSON.parse(json.text)).toEqual(doc);

    // API responses are not compressed here (CloudFront does it at the edge).
    const list = await http().get('/v1/pages').set('Accept-Encoding', 'gzip').expect(200);
    expect(list.headers['content-encoding']).toBeUndefined();
  });

  it('refuses to let Swagger UI (which keeps tokens in localStorage) be framed, with a CSP it runs under', async () => {
    for (const path of ['/docs', '/docs/', '/docs/swagger-ui-init.js', '/docs-json']) {
      const res = await http().get(path).expect(200);
      expect({ path, frame: res.headers['x-frame-options'] }).toEqual({ path, frame: 'DENY' });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/(^|;)script-src 'self'(;|$)/);
    }
    // The CSP allows no inline script: the page must carry none (its scripts are files).
    const page = await http().get('/docs').expect(200);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc=/);
      expect(body.trim()).toBe('');
    }
    // API responses (cached public ones among them) keep their own headers.
    for (const path of ['/v1/pages', '/health/live']) {
      const res = await http().get(path).expect(200);
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBeUndefined();
    }
  });
});
