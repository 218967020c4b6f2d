import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { newPage, newSlug } from './support/factories';
import { pagesClient } from './support/pages-client';

const ERROR_SHAPE = {
  statusCode: expect.any(Number),
  error: expect.any(String),
  message: expect.any(String),
  requestId: expect.any(String),
};

describe('bad input and errors', () => {
  let t: TestApp;
  let pages: ReturnType<typeof pagesClient>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp({ BODY_LIMIT_BYTES: '4096' });
    pages = pagesClient(t.app);
  });
  afterAll(async () => t?.close());

  async function countBySlug(slug: string): Promise<number> {
    const res = await http().get('/admin/v1/pages').query({ limit: 100 }).set(auth).expect(200);
    return res.body.items.filter((p: { slug: string }) => p.slug === slug).length;
  }

  it.each([
    ['uppercase', 'Jane-Doe'],
    ['too short', 'ab'],
    ['too long', 'a'.repeat(81)],
    ['underscore', 'jane_doe'],
    ['leading dash', '-jane'],
    ['spaces', 'jane doe'],
  ])('refuses a slug that is %s with a 400 naming the slug', async (_, slug) => {
    const res = await http().post('/admin/v1/pages').set(auth).send(newPage({ slug })).expect(400);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 400, error: 'VALIDATION_FAILED' });
    expect(res.body.message).toMatch(/slug/);
  });

  it('accepts slugs at both length limits', async () => {
    // Each test file has a database of its own, so fixed slugs are free here.
    await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ slug: 'a1c' }))
      .expect(201);
    await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ slug: 'z'.repeat(80) }))
      .expect(201);
  });

  it('refuses unknown fields, top level and nested', async () => {
    const top = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ owner: 'me' }))
      .expect(400);
    expect(top.body.message).toMatch(/owner/);
    const nested = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ agent: { name: 'A', salary: 1 } }))
      .expect(400);
    expect(nested.body.message).toMatch(/agent\.salary|salary/);
  });

  it('refuses operator objects where strings belong and never stores them', async () => {
    const slug = newSlug('inject');
    const res = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ slug, title: { $gt: '' } }))
      .expect(400);
    expect(res.body.message).toMatch(/title/);
    expect(await countBySlug(slug)).toBe(0);

    const page = await pages.create();
    await http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ slug: { $ne: null } })
      .expect(400);
    await http().get('/v1/pages/%7B%22%24gt%22%3A%22%22%7D').expect(404);
  });

  it('requires the nested agent and sponsor disclosure and checks URLs', async () => {
    const body = newPage();
    delete body.sponsor;
    const noSponsor = await http().post('/admin/v1/pages').set(auth).send(body).expect(400);
    expect(noSponsor.body.message).toMatch(/sponsor/);
    const noDisclosure = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ sponsor: { name: 'Acme' } }))
      .expect(400);
    expect(noDisclosure.body.message).toMatch(/sponsor\.disclosure/);
    const badUrl = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ agent: { name: 'A', photoUrl: 'javascript:alert(1)' } }))
      .expect(400);
    expect(badUrl.body.message).toMatch(/agent\.photoUrl/);
  });

  it('answers 413 for a body over the configured limit and stores nothing', async () => {
    const slug = newSlug('big');
    const res = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ slug, summary: 'x'.repeat(5000) }))
      .expect(413);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
    expect(await countBySlug(slug)).toBe(0);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"slug": "broken",')
      .expect(400);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 400, error: 'MALFORMED_JSON' });
  });

  it('answers 409 for a duplicate slug on create and on rename', async () => {
    const a = await pages.create();
    const dup = await http()
      .post('/admin/v1/pages')
      .set(auth)
      .send(newPage({ slug: a.slug }))
      .expect(409);
    expect(dup.body).toEqual({ ...ERROR_SHAPE, statusCode: 409, error: 'SLUG_TAKEN' });

    const b = await pages.create();
    const rename = await http()
      .patch(`/admin/v1/pages/${b.id}`)
      .set(auth)
      .set('If-Match', '"1"')
      .send({ slug: a.slug })
      .expect(409);
    expect(rename.body.error).toBe('SLUG_TAKEN');
    const after = await http().get(`/admin/v1/pages/${b.id}`).set(auth).expect(200);
    expect(after.body).toMatchObject({ slug: b.slug, version: 1 });
  });

  it('answers 409 when two renames race for the same free slug', async () => {
    const a = await pages.create();
    const b = await pages.create();
    const slug = newSlug('race');
    const results = await Promise.all(
      [a, b].map((p) =>
        http().patch(`/admin/v1/pages/${p.id}`).set(auth).set('If-Match', '"1"').send({ slug }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await countBySlug(slug)).toBe(1);
  });

  it('answers 401 for a missing or wrong token, with the error shape', async () => {
    const missing = await http().get('/admin/v1/pages').expect(401);
    expect(missing.body).toEqual({ ...ERROR_SHAPE, statusCode: 401, error: 'UNAUTHORIZED' });
    await http().get('/admin/v1/pages').set('Authorization', 'Bearer wrong-token').expect(401);
    await http().get('/admin/v1/pages').set('Authorization', 'Basic Zm9vOmJhcg==').expect(401);
    await http().post('/admin/v1/pages').send(newPage()).expect(401);
  });

  it('answers unknown routes with the same JSON error shape', async () => {
    const res = await http().get('/no/such/route').expect(404);
    expect(res.body).toEqual({ ...ERROR_SHAPE, statusCode: 404, error: 'NOT_FOUND' });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('echoes a sane x-request-id and replaces an unsafe one', async () => {
    const sane = await http()
      .get('/no/such/route')
      .set('x-request-id', 'abc-123.DEF:9')
      .expect(404);
    expect(sane.headers['x-request-id']).toBe('abc-123.DEF:9');
    expect(sane.body.requestId).toBe('abc-123.DEF:9');
    const unsafe = await http()
      .get('/health/live')
      .set('x-request-id', 'bad id <script>')
      .expect(200);
    // Generated: the process's random prefix and a counter, so two requests never share one.
    const generated = /^([0-9a-f]{16})-([0-9a-z]+)$/;
    expect(unsafe.headers['x-request-id']).toMatch(generated);
    const none = await http().get('/health/live').expect(200);
    expect(none.headers['x-request-id']).toMatch(generated);
    const [, prefix, count] = generated.exec(none.headers['x-request-id'])!;
    expect(unsafe.headers['x-request-id']).toMatch(new RegExp(`^${prefix}-`));
    expect(parseInt(count, 36)).toBeGreaterThan(
      parseInt(generated.exec(unsafe.headers['x-request-id'])![2], 36),
    );
  });
});
