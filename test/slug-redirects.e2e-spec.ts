import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { newPage, newSlug } from './support/factories';
import { staffTokens, type StaffToken } from './support/identities';
import { pagesClient } from './support/pages-client';

interface PageView {
  id: string;
  slug: string;
  status: string;
  version: number;
  redirectsFrom: string[];
}

/**
 * Renaming a published page: a publisher's act, after which the old slug answers `301` to the new
 * one (page, schedule, feed) while the page is published, and is listed on the page until a
 * publisher removes it.
 */
describe('slug changes and redirects', () => {
  let t: TestApp;
  let staff: Record<'viewer' | 'editor' | 'publisher' | 'admin', StaffToken>;
  let pages: ReturnType<typeof pagesClient>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startApp({ CACHE_S_MAXAGE: '600', ADMIN_WRITES_PER_MINUTE: '10000' });
    staff = await staffTokens(t.app);
    pages = pagesClient(t.app);
  });
  afterAll(() => t?.close());

  const get = async (id: string): Promise<PageView> =>
    (await http().get(`/admin/v1/pages/${id}`).set(auth).expect(200)).body as PageView;

  function rename(page: { id: string; version: number }, slug: string, as = auth) {
    return http()
      .patch(`/admin/v1/pages/${page.id}`)
      .set(as)
      .set('If-Match', `"${page.version}"`)
      .send({ slug });
  }

  function removeRedirect(page: { id: string; version: number }, slug: string, as = auth) {
    return http()
      .delete(`/admin/v1/pages/${page.id}/redirects/${slug}`)
      .set(as)
      .set('If-Match', `"${page.version}"`);
  }

  /** A published page renamed once by a publisher: [page after the rename, old slug]. */
  async function renamedPage(): Promise<[PageView, string]> {
    const page = await pages.createPublished();
    const res = await rename(page, newSlug('moved'), staff.publisher.auth).expect(200);
    return [res.body as PageView, page.slug];
  }

  describe('who may rename', () => {
    it('refuses an editor the slug of a published page (403 naming the publisher role), writing nothing', async () => {
      const page = await pages.createPublished();
      const res = await rename(page, newSlug('by-editor'), staff.editor.auth).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
      expect(res.body.message).toMatch(/published page/);
      expect(res.body.message).toMatch(/publisher role/);
      expect(await get(page.id)).toMatchObject({
        slug: page.slug,
        version: page.version,
        redirectsFrom: [],
      });
      await http().get(`/v1/pages/${page.slug}`).expect(200);
      // Audited like a refused route.
      const trail = await http()
        .get(`/admin/v1/audit?pageId=${page.id}&action=auth.forbidden`)
        .set(auth)
        .expect(200);
      expect(trail.body.items).toHaveLength(1);
      expect(trail.body.items[0]).toMatchObject({
        role: 'editor',
        target: { type: 'route', id: 'PATCH /admin/v1/pages/:id' },
        details: { required: 'publisher' },
      });
      // The editor may still edit the draft of that page.
      await http()
        .patch(`/admin/v1/pages/${page.id}`)
        .set(staff.editor.auth)
        .set('If-Match', `"${page.version}"`)
        .send({ title: 'Edited by an editor' })
        .expect(200);
    });

    it('lets an editor rename a page that is not published, with no redirect', async () => {
      const page = await pages.create();
      const slug = newSlug('draft-renamed');
      const res = await rename(page, slug, staff.editor.auth).expect(200);
      expect(res.body).toMatchObject({ slug, status: 'draft', redirectsFrom: [] });
      const archived = await pages.createPublished();
      const off = await pages.action(archived.id, 'archive', archived.version);
      await rename(off, newSlug('archived-renamed'), staff.editor.auth).expect(200);
    });

    it('lets a publisher rename a published page: the new slug serves it, the old one is listed as a redirect', async () => {
      const page = await pages.createPublished();
      const slug = newSlug('by-publisher');
      const res = await rename(page, slug, staff.publisher.auth).expect(200);
      expect(res.body).toMatchObject({ slug, status: 'published', redirectsFrom: [page.slug] });
      expect(await get(page.id)).toMatchObject({ slug, redirectsFrom: [page.slug] });
      const moved = await http().get(`/v1/pages/${slug}`).expect(200);
      expect(moved.body.slug).toBe(slug);
    });
  });

  describe('the old slug answers 301', () => {
    it('for the page: Location is the current slug’s path, built from the route, cacheable', async () => {
      const [page, old] = await renamedPage();
      const res = await http().get(`/v1/pages/${old}`).redirects(0).expect(301);
      expect(res.headers.location).toBe(`/v1/pages/${page.slug}`);
      expect(res.headers['cache-control']).toMatch(/^public, /);
      expect(res.headers['cache-control']).toContain('s-maxage=600');
      expect(res.text).toBe('');
      // Not from the request: no host, no query string carried along, whatever the request said.
      const odd = await http()
        .get(`/v1/pages/${old}?utm_source=mail`)
        .set('Host', 'evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Prefix', '/evil')
        .redirects(0)
        .expect(301);
      expect(odd.headers.location).toBe(`/v1/pages/${page.slug}`);
      const head = await http().head(`/v1/pages/${old}`).redirects(0).expect(301);
      expect(head.headers.location).toBe(`/v1/pages/${page.slug}`);
      // Followed, it lands on the page.
      const landed = await http().get(res.headers.location).expect(200);
      expect(landed.body.slug).toBe(page.slug);
    });

    it('for the schedule (same canonical window) and the feed', async () => {
      const [page, old] = await renamedPage();
      const window = 'from=2027-03-01&to=2027-03-31';
      const schedule = await http()
        .get(`/v1/pages/${old}/schedule?${window}`)
        .redirects(0)
        .expect(301);
      expect(schedule.headers.location).toBe(`/v1/pages/${page.slug}/schedule?${window}`);
      expect(schedule.headers['cache-control']).toMatch(/^public, .*s-maxage=600/);
      await http().get(schedule.headers.location).redirects(0).expect(200);
      const bare = await http().get(`/v1/pages/${old}/schedule`).redirects(0).expect(301);
      expect(bare.headers.location).toBe(`/v1/pages/${page.slug}/schedule`);
      const feed = await http().get(`/v1/pages/${old}/schedule.ics`).redirects(0).expect(301);
      expect(feed.headers.location).toBe(`/v1/pages/${page.slug}/schedule.ics`);
      expect(feed.headers['cache-control']).toMatch(/^public, /);
      await http().get(feed.headers.location).expect(200);
    });

    it('is cacheable no longer than the page’s scheduled unpublish', async () => {
      const [page, old] = await renamedPage();
      await http()
        .post(`/admin/v1/pages/${page.id}/actions`)
        .set(auth)
        .send({ kind: 'unpublish', at: new Date(Date.now() + 300_000).toISOString() })
        .expect(201);
      const sMaxAge = (res: request.Response) =>
        Number(/s-maxage=(\d+)/.exec(String(res.headers['cache-control']))![1]);
      const res = await http().get(`/v1/pages/${old}`).redirects(0).expect(301);
      expect(sMaxAge(res)).toBeLessThanOrEqual(300);
      expect(Date.parse(String(res.headers.expires))).toBeLessThanOrEqual(Date.now() + 301_000);
      const feed = await http().get(`/v1/pages/${old}/schedule.ics`).redirects(0).expect(301);
      expect(sMaxAge(feed)).toBeLessThanOrEqual(300);
    });

    it('leaves unknown slugs at 404', async () => {
      for (const path of ['', '/schedule', '/schedule.ics']) {
        const res = await http()
          .get(`/v1/pages/${newSlug('nobody')}${path}`)
          .expect(404);
        expect(res.body).toMatchObject({ statusCode: 404, error: 'PAGE_NOT_FOUND' });
      }
    });

    it('points every former slug straight at the current one after more renames, and gives a slug back to its page', async () => {
      const [page, first] = await renamedPage();
      const third = newSlug('third');
      const again = (await rename(page, third, staff.publisher.auth).expect(200)).body as PageView;
      expect(again.redirectsFrom).toEqual([first, page.slug]);
      for (const old of [first, page.slug]) {
        const res = await http().get(`/v1/pages/${old}`).redirects(0).expect(301);
        expect(res.headers.location).toBe(`/v1/pages/${third}`);
      }
      // Back to the first slug: it serves the page again and stops being a redirect.
      const back = (await rename(again, first, staff.publisher.auth).expect(200)).body as PageView;
      expect(back).toMatchObject({ slug: first, redirectsFrom: [page.slug, third] });
      await http().get(`/v1/pages/${first}`).redirects(0).expect(200);
      const res = await http().get(`/v1/pages/${third}`).redirects(0).expect(301);
      expect(res.headers.location).toBe(`/v1/pages/${first}`);
    });
  });

  describe('while the page is offline', () => {
    it('answers 404 for the old slug as for the current one (unpublish, archive), and 301 again once republished', async () => {
      const [page, old] = await renamedPage();
      const down = await pages.action(page.id, 'unpublish', page.version);
      for (const slug of [page.slug, old])
        for (const path of ['', '/schedule', '/schedule.ics'])
          await http().get(`/v1/pages/${slug}${path}`).redirects(0).expect(404);
      expect((await get(page.id)).redirectsFrom).toEqual([old]);
      const up = await pages.action(page.id, 'publish', down.version);
      const res = await http().get(`/v1/pages/${old}`).redirects(0).expect(301);
      expect(res.headers.location).toBe(`/v1/pages/${page.slug}`);
      await pages.action(page.id, 'archive', up.version);
      await http().get(`/v1/pages/${old}`).redirects(0).expect(404);
      await http().get(`/v1/pages/${old}/schedule.ics`).redirects(0).expect(404);
    });
  });

  describe('removing a redirect', () => {
    it('is a publisher’s versioned, audited write: the old slug then answers 404', async () => {
      const [page, old] = await renamedPage();
      await removeRedirect(page, old, staff.editor.auth).expect(403);
      await removeRedirect(
        { ...page, version: page.version - 1 },
        old,
        staff.publisher.auth,
      ).expect(412);
      const res = await removeRedirect(page, old, staff.publisher.auth)
        .set('X-Request-Id', `req-${old}`)
        .expect(200);
      expect(res.body).toMatchObject({ slug: page.slug, redirectsFrom: [] });
      expect(res.headers.etag).toBe(`"${page.version + 1}"`);
      await http().get(`/v1/pages/${old}`).redirects(0).expect(404);
      await http().get(`/v1/pages/${old}/schedule.ics`).redirects(0).expect(404);
      await http().get(`/v1/pages/${page.slug}`).expect(200);
      const unknown = await removeRedirect(
        { id: page.id, version: page.version + 1 },
        old,
        staff.publisher.auth,
      ).expect(404);
      expect(unknown.body).toMatchObject({ error: 'NOT_FOUND' });
      expect(unknown.body.message).toContain(old);
      // A slug no page can have is refused as malformed, even with a stale If-Match.
      await removeRedirect({ id: page.id, version: page.version }, '%C2%84', staff.publisher.auth)
        .expect(400)
        .expect((res) => expect(res.body.error).toBe('VALIDATION_FAILED'));

      const trail = await http()
        .get(`/admin/v1/audit?pageId=${page.id}&action=page.redirect-removed`)
        .set(auth)
        .expect(200);
      expect(trail.body.items).toHaveLength(1);
      expect(trail.body.items[0]).toMatchObject({
        action: 'page.redirect-removed',
        actor: { kind: 'token', id: staff.publisher.actorId },
        role: 'publisher',
        page: { id: page.id, slug: page.slug },
        version: { before: page.version, after: page.version + 1 },
        changes: ['formerSlugs'],
        details: { slug: old },
        // The client's request id is kept beside the server's own.
        clientRequestId: `req-${old}`,
      });
      expect(trail.body.items[0].requestId).not.toBe(`req-${old}`);
    });
  });

  describe('slug reuse', () => {
    it('refuses a redirecting slug to a new page and to another page’s rename (409 naming the redirect), until the redirect is removed', async () => {
      const [page, old] = await renamedPage();
      const created = await http()
        .post('/admin/v1/pages')
        .set(auth)
        .send(newPage({ slug: old }))
        .expect(409);
      expect(created.body).toMatchObject({ statusCode: 409, error: 'SLUG_TAKEN' });
      expect(created.body.message).toContain(`redirects/${old}`);
      const other = await pages.create();
      const taken = await rename(other, old).expect(409);
      expect(taken.body.error).toBe('SLUG_TAKEN');
      expect(await get(other.id)).toMatchObject({ slug: other.slug, version: other.version });

      await removeRedirect(page, old).expect(200);
      const reused = await http()
        .post('/admin/v1/pages')
        .set(auth)
        .send(newPage({ slug: old, title: 'Another page' }))
        .expect(201);
      await pages.action(reused.body.id as string, 'publish', 1);
      const served = await http().get(`/v1/pages/${old}`).redirects(0).expect(200);
      expect(served.body.title).toBe('Another page');
    });

    it('still refuses the current slug of another page', async () => {
      const a = await pages.createPublished();
      const b = await pages.createPublished();
      const res = await rename(b, a.slug).expect(409);
      expect(res.body.error).toBe('SLUG_TAKEN');
    });
  });
});
