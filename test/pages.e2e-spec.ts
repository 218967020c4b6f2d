import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { newPage, newSlug } from './support/factories';
import { pagesClient } from './support/pages-client';

describe('pages', () => {
  let t: TestApp;
  let pages: ReturnType<typeof pagesClient>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp({
      CACHE_S_MAXAGE: '600',
      CACHE_STALE_WHILE_REVALIDATE: '30',
      CACHE_STALE_IF_ERROR: '3600',
    });
    pages = pagesClient(t.app);
  });
  afterAll(async () => t?.close());

  describe('admin CRUD', () => {
    it('creates a draft page and returns it with its version as ETag and a Location', async () => {
      const body = newPage();
      const res = await http().post('/admin/v1/pages').set(auth).send(body).expect(201);
      expect(res.body).toMatchObject({ slug: body.slug, status: 'draft', version: 1, live: null });
      expect(res.body.id).toMatch(/^[0-9a-f]{24}$/);
      expect(res.body.draft).toMatchObject({ title: 'Jane Doe', agent: { name: 'Jane Doe' } });
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.location).toBe(`/admin/v1/pages/${res.body.id}`);
      expect(res.headers['cache-control']).toBe('no-store');

      const got = await http().get(`/admin/v1/pages/${res.body.id}`).set(auth).expect(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.body).toEqual(res.body);
    });

    it('answers 404 for unknown and malformed ids', async () => {
      const unknown = await http()
        .get('/admin/v1/pages/65f000000000000000000000')
        .set(auth)
        .expect(404);
      expect(unknown.body.error).toBe('PAGE_NOT_FOUND');
      await http().get('/admin/v1/pages/not-an-id').set(auth).expect(404);
    });

    it('updates with a matching If-Match and bumps the version', async () => {
      const page = await pages.create();
      const res = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"1"')
        .send({ title: 'Jane Doe, Realtor', agent: { name: 'Jane Q. Doe' } })
        .expect(200);
      expect(res.body).toMatchObject({
        version: 2,
        draft: { title: 'Jane Doe, Realtor', agent: { name: 'Jane Q. Doe' } },
      });
      expect(res.body.draft.sponsor.name).toBe('Acme Realty');
      expect(res.headers.etag).toBe('"2"');
    });

    it('removes optional fields set to null and refuses null for required ones', async () => {
      const page = await pages.create();
      const res = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"1"')
        .send({ summary: null })
        .expect(200);
      expect(res.body.draft.summary).toBeUndefined();
      const refused = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"2"')
        .send({ title: null })
        .expect(400);
      expect(refused.body.message).toMatch(/title/);
    });

    it('refuses a stale If-Match with 412 and a missing one with 428, writing nothing', async () => {
      const page = await pages.create();
      const stale = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"7"')
        .send({ title: 'Stale' })
        .expect(412);
      expect(stale.body).toMatchObject({ statusCode: 412, error: 'VERSION_MISMATCH' });
      const missing = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .send({ title: 'Blind' })
        .expect(428);
      expect(missing.body.error).toBe('PRECONDITION_REQUIRED');
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', 'yesterday')
        .send({ title: 'x' })
        .expect(400);
      const after = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
      expect(after.body).toMatchObject({ version: 1, draft: { title: 'Jane Doe' } });
    });

    it('lets exactly one of 20 concurrent PATCHes with the same If-Match win', async () => {
      const page = await pages.create();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          http()
            .patch(`/admin/v1/pages/${page.id}`)
            .set(auth)
            .set('If-Match', '"1"')
            .send({ title: `Writer ${i}` }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(19);
      const winner = results.find((r) => r.status === 200)!;
      const after = await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
      expect(after.body.version).toBe(2);
      expect(after.body.draft.title).toBe(winner.body.draft.title);
    });

    it('deletes an unpublished page with If-Match, and refuses to delete a published one', async () => {
      const draft = await pages.create();
      await http()
        .delete(`/admin/v1/pages/${draft.id}`)
        .set(auth)
        .set('If-Match', '"1"')
        .expect(204);
      await http().get(`/admin/v1/pages/${draft.id}`).set(auth).expect(404);
      const live = await pages.createPublished();
      const refused = await http()
        .delete(`/admin/v1/pages/${live.id}`)
        .set(auth)
        .set('If-Match', `"${live.version}"`)
        .expect(409);
      expect(refused.body.error).toBe('INVALID_STATE');
    });

    it('lists pages of every status with cursor pagination and a status filter', async () => {
      const tag = newSlug('list');
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await pages.create({ slug: `${tag}-${i}` }));
      await pages.action(created[1].id, 'publish', 1);
      await pages.action(created[2].id, 'archive', 1);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await http()
          .get('/admin/v1/pages')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((p: { id: string }) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      for (const p of created) expect(seen).toContain(p.id);

      const archived = await http()
        .get('/admin/v1/pages')
        .query({ status: 'archived', limit: 100 })
        .set(auth)
        .expect(200);
      expect(archived.body.items.map((p: { id: string }) => p.id)).toContain(created[2].id);
      expect(archived.body.items.every((p: { status: string }) => p.status === 'archived')).toBe(
        true,
      );
      await http().get('/admin/v1/pages').query({ status: 'deleted' }).set(auth).expect(400);
      await http().get('/admin/v1/pages').query({ cursor: 'bm9wZQ' }).set(auth).expect(400);
    });
  });

  describe('publishing and the public page', () => {
    it('serves only the live snapshot with a strong ETag, Last-Modified, cache headers and 304', async () => {
      const page = await pages.create();
      await http().get(`/v1/pages/${page.slug}`).expect(404);

      const published = await pages.action(page.id, 'publish', 1);
      expect(published).toMatchObject({ status: 'published', version: 2 });

      const res = await http().get(`/v1/pages/${page.slug}`).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(new Date(res.headers['last-modified']).getTime()).not.toBeNaN();
      expect(res.headers['cache-control']).toContain('s-maxage=600');
      expect(res.headers['cache-control']).toContain('stale-while-revalidate=30');
      expect(res.headers['cache-control']).toContain('stale-if-error=3600');
      expect(res.body).toMatchObject({
        slug: page.slug,
        title: 'Jane Doe',
        sponsor: { disclosure: 'Sponsored by Acme Realty' },
        revision: 1,
      });

      const notModified = await http()
        .get(`/v1/pages/${page.slug}`)
        .set('If-None-Match', res.headers.etag)
        .expect(304);
      expect(notModified.text).toBe('');
      expect(notModified.headers.etag).toBe(res.headers.etag);
      await http()
        .get(`/v1/pages/${page.slug}`)
        .set('If-None-Match', '"something-else"')
        .expect(200);

      // Draft edits stay private until the next publish, which changes the ETag.
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"2"')
        .send({ title: 'New title' })
        .expect(200);
      const still = await http().get(`/v1/pages/${page.slug}`).expect(200);
      expect(still.body.title).toBe('Jane Doe');
      expect(still.headers.etag).toBe(res.headers.etag);
      await pages.action(page.id, 'publish', 3);
      const next = await http()
        .get(`/v1/pages/${page.slug}`)
        .set('If-None-Match', res.headers.etag)
        .expect(200);
      expect(next.body).toMatchObject({ title: 'New title', revision: 2 });
      expect(next.headers.etag).not.toBe(res.headers.etag);
    });

    it('takes pages offline on unpublish and archive', async () => {
      const a = await pages.createPublished();
      await http().get(`/v1/pages/${a.slug}`).expect(200);
      const down = await pages.action(a.id, 'unpublish', a.version);
      expect(down).toMatchObject({ status: 'draft', live: null });
      const gone = await http().get(`/v1/pages/${a.slug}`).expect(404);
      expect(gone.body).toMatchObject({ statusCode: 404, error: 'PAGE_NOT_FOUND' });
      expect(gone.body.requestId).toBeTruthy();
      const again = await http()
        .post(`/admin/v1/pages/${a.id}/unpublish`)
        .set(auth)
        .set('If-Match', `"${down.version}"`)
        .expect(409);
      expect(again.body.error).toBe('INVALID_STATE');

      const b = await pages.createPublished();
      const archived = await pages.action(b.id, 'archive', b.version);
      expect(archived.status).toBe('archived');
      await http().get(`/v1/pages/${b.slug}`).expect(404);
    });

    it('moves the public URL when a published page is renamed (the old one redirects)', async () => {
      const page = await pages.createPublished();
      const slug = newSlug('renamed');
      const res = await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .send({ slug })
        .expect(200);
      expect(res.body.slug).toBe(slug);
      const old = await http().get(`/v1/pages/${page.slug}`).redirects(0).expect(301);
      expect(old.headers.location).toBe(`/v1/pages/${slug}`);
      const moved = await http().get(`/v1/pages/${slug}`).expect(200);
      expect(moved.body.slug).toBe(slug);
    });

    it('records revisions and restores one as the new draft', async () => {
      const page = await pages.create({ title: 'First' });
      await pages.action(page.id, 'publish', 1);
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(auth)
        .set('If-Match', '"2"')
        .send({ title: 'Second' })
        .expect(200);
      await pages.action(page.id, 'publish', 3);

      const list = await http().get(`/admin/v1/pages/${page.id}/revisions`).set(auth).expect(200);
      expect(list.body.items.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
      expect(list.body.items[1].content.title).toBe('First');

      const restored = await http()
        .post(`/admin/v1/pages/${page.id}/revisions/1/restore`)
        .set(auth)
        .set('If-Match', '"4"')
        .expect(200);
      expect(restored.body).toMatchObject({
        version: 5,
        draft: { title: 'First' },
        live: { content: { title: 'Second' } },
      });
      await http()
        .post(`/admin/v1/pages/${page.id}/revisions/9/restore`)
        .set(auth)
        .set('If-Match', '"5"')
        .expect(404);
      await http()
        .post(`/admin/v1/pages/${page.id}/revisions/one/restore`)
        .set(auth)
        .set('If-Match', '"5"')
        .expect(400);
    });

    it('lists published pages by cursor with no duplicates or gaps', async () => {
      const prefix = newSlug('pub');
      const published: string[] = [];
      for (let i = 0; i < 7; i++) {
        const p = await pages.create({ slug: `${prefix}-${i}` });
        if (i % 3 !== 0) {
          await pages.action(p.id, 'publish', 1);
          published.push(p.slug);
        }
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let first: request.Response | undefined;
      do {
        const res: request.Response = await http()
          .get('/v1/pages')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        first ??= res;
        seen.push(...res.body.items.map((p: { slug: string }) => p.slug));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((s) => s.startsWith(prefix))).toEqual([...published].sort());
      expect([...seen].sort()).toEqual(seen);
      expect(first.headers['cache-control']).toContain('s-maxage=600');
      expect(first.body.items[0]).toEqual(
        expect.objectContaining({
          slug: expect.any(String),
          title: expect.any(String),
          agentName: expect.any(String),
          sponsorName: expect.any(String),
        }),
      );
      await http()
        .get('/v1/pages')
        .query({ limit: 2 })
        .set('If-None-Match', first.headers.etag)
        .expect(304);
      await http().get('/v1/pages').query({ limit: 0 }).expect(400);
      await http().get('/v1/pages').query({ limit: 101 }).expect(400);
    });
  });
});
