import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { auth, startApp, type TestApp } from './support/app';
import { CommandRecorder } from './support/command-recorder';
import { newSlug } from './support/factories';
import { PublicPagesService } from '../src/modules/pages/public-read/public-pages.service';
import { eventually } from './support/cloudfront-moto';
import { fromNow, pageActionsClient } from './support/page-actions-client';
import { pagesClient } from './support/pages-client';

const cacheOn = {
  PUBLIC_CACHE_TTL_MS: '60000',
  MONGODB_REPLICA_LAG_ALLOWANCE_MS: '0',
  CDN_INVALIDATION_SETTLE_MS: '60000',
};

/** Reads of one slug's public body that reached the database. */
const bodyReads = (recorder: CommandRecorder, slug: string) =>
  recorder.on('pages').filter((c) => c.name === 'find' && c.filters.some((f) => f.slug === slug));

describe('public response cache', () => {
  describe('against the shared stack', () => {
    let t: TestApp;
    let recorder: CommandRecorder;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      t = await startApp(cacheOn);
      recorder = CommandRecorder.attach(t.app.get<Connection>(getConnectionToken()));
    });
    afterAll(async () => {
      recorder?.detach();
      await t?.close();
    });

    it('answers 50 concurrent cold reads of a page with one database read (single-flight)', async () => {
      const page = await pagesClient(t.app).createPublished();
      recorder.clear();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => http().get(`/v1/pages/${page.slug}`)),
      );
      expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]));
      expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(1);
      expect(bodyReads(recorder, page.slug)).toHaveLength(1);
    });

    it('answers If-None-Match from the cache (304, no database read), and unknown slugs too', async () => {
      const page = await pagesClient(t.app).createPublished();
      const first = await http().get(`/v1/pages/${page.slug}`).expect(200);
      await http().get('/v1/pages/no-such-page-here').expect(404);
      recorder.clear();
      await http()
        .get(`/v1/pages/${page.slug}`)
        .set('If-None-Match', first.headers.etag)
        .expect(304);
      await http().get('/v1/pages/no-such-page-here').expect(404);
      expect(bodyReads(recorder, page.slug)).toEqual([]);
      expect(bodyReads(recorder, 'no-such-page-here')).toEqual([]);
    });

    it('answers a slug no page can have with a 404 before any database read', async () => {
      const long = 'a'.repeat(3000);
      recorder.clear();
      for (const path of [
        '/v1/pages/Not_A_Slug',
        `/v1/pages/${long}`,
        `/v1/pages/${long}/schedule.ics`,
      ]) {
        const res = await http().get(path).expect(404);
        expect(res.body).toMatchObject({ statusCode: 404, error: 'PAGE_NOT_FOUND' });
        expect(res.body.message.length).toBeLessThan(200);
      }
      // Reads of a page by slug (or by former slug); the background polls are not requests.
      expect(
        recorder
          .on('pages')
          .filter((c) => c.filters.some((f) => 'slug' in f || 'formerSlugs' in f)),
      ).toEqual([]);
    });

    /** Every header but the per-response ones, as the client sees it. */
    const comparable = (res: request.Response) => {
      const { date, 'x-request-id': id, ...headers } = res.headers;
      // Transport headers differ by connection, not by path.
      delete headers.connection;
      delete headers['keep-alive'];
      expect([typeof id, typeof date]).toEqual(['string', 'string']);
      return { status: res.status, text: res.text, headers };
    };
    /** A GET, a conditional GET with its ETag and a HEAD of one path. */
    const exchanges = async (path: string) => {
      const get = await http().get(path);
      return {
        get: comparable(get),
        notModified: comparable(await http().get(path).set('If-None-Match', get.headers.etag)),
        head: comparable(await http().head(path)),
      };
    };
    const expectAnswersOfAHit = (answers: Awaited<ReturnType<typeof exchanges>>) => {
      expect(answers.get.status).toBe(200);
      expect(answers.notModified).toMatchObject({ status: 304, text: '' });
      expect([answers.head.status, answers.head.text ?? '']).toEqual([200, '']);
      expect(answers.head.headers['content-length']).toBe(answers.get.headers['content-length']);
    };

    it('answers a fresh hit before Fastify (fast path), exactly as the controller does', async () => {
      const page = await pagesClient(t.app).createPublished();
      const service = t.app.get(PublicPagesService);
      const controllerRead = jest.spyOn(service, 'publicPage');
      const path = `/v1/pages/${page.slug}`;
      try {
        await http().get(path).expect(200); // the miss that fills the cache
        expect(controllerRead).toHaveBeenCalledTimes(1);
        const fast = await exchanges(path);
        // The hits never reached PagesController (whose read goes through publicPage).
        expect(controllerRead).toHaveBeenCalledTimes(1);
        // The same three requests through Fastify and PagesController, from the same cache entry.
        const peek = jest.spyOn(service, 'cachedPublicPage').mockReturnValue(undefined);
        const slow = await exchanges(path);
        peek.mockRestore();
        expect(controllerRead).toHaveBeenCalledTimes(4);
        expect(fast).toEqual(slow);
        expectAnswersOfAHit(fast);
        // A caller's sane request id is echoed by the fast path too.
        const echoed = await http().get(path).set('X-Request-Id', 'edge-abc.123').expect(200);
        expect(echoed.headers['x-request-id']).toBe('edge-abc.123');
        // A query, a trailing slash or a cached "not found" go to Fastify and the controller.
        await http().get(`${path}?x=1`).expect(200);
        await http().get(`${path}/`).expect(404);
        await http().get('/v1/pages/no-such-page-either').expect(404);
        const again = await http().get('/v1/pages/no-such-page-either').expect(404);
        expect(again.body).toMatchObject({ statusCode: 404, error: 'PAGE_NOT_FOUND' });
        expect(controllerRead).toHaveBeenCalledTimes(7);
      } finally {
        controllerRead.mockRestore();
      }
    });

    it("answers a fresh hit of the list's first page before Fastify too, as the controller does", async () => {
      await pagesClient(t.app).createPublished();
      await pagesClient(t.app).createPublished();
      const service = t.app.get(PublicPagesService);
      const controllerRead = jest.spyOn(service, 'publicList');
      const paths = ['/v1/pages', '/v1/pages?limit=1'];
      try {
        for (const path of paths) await http().get(path).expect(200); // the misses
        expect(controllerRead).toHaveBeenCalledTimes(2);
        const fast = [await exchanges(paths[0]), await exchanges(paths[1])];
        expect(controllerRead).toHaveBeenCalledTimes(2);
        const peek = jest.spyOn(service, 'cachedPublicList').mockReturnValue(undefined);
        const slow = [await exchanges(paths[0]), await exchanges(paths[1])];
        peek.mockRestore();
        expect(controllerRead).toHaveBeenCalledTimes(8);
        expect(fast).toEqual(slow);
        fast.forEach(expectAnswersOfAHit);
        const one = JSON.parse(fast[1].get.text) as { items: unknown[]; nextCursor: string };
        expect(one.items).toHaveLength(1);
        expect(typeof one.nextCursor).toBe('string');
        // Only those two URL shapes are answered early: the rest is the controller's to validate.
        await http().get('/v1/pages?limit=020').expect(200);
        await http().get(`/v1/pages?limit=1&cursor=${one.nextCursor}`).expect(200);
        expect(controllerRead).toHaveBeenCalledTimes(10);
        for (const refused of [
          '/v1/pages?limit=0',
          '/v1/pages?limit=101',
          '/v1/pages?limit=1&x=1',
        ]) {
          const res = await http().get(refused).expect(400);
          expect(res.body).toMatchObject({ statusCode: 400, error: 'VALIDATION_FAILED' });
        }
      } finally {
        controllerRead.mockRestore();
      }
    });

    describe('reads its own writes on one pod (a 60 s TTL, nothing waits it out)', () => {
      const listed = async (slug: string) =>
        ((await http().get('/v1/pages?limit=100').expect(200)).body.items as { slug: string }[])
          .map((p) => p.slug)
          .includes(slug);

      it('a cached 404 turns 200 right after the publish, and 404 again right after the unpublish', async () => {
        const pages = pagesClient(t.app);
        const page = await pages.create();
        await http().get(`/v1/pages/${page.slug}`).expect(404);
        expect(await listed(page.slug)).toBe(false);
        recorder.clear();
        await http().get(`/v1/pages/${page.slug}`).expect(404);
        expect(bodyReads(recorder, page.slug)).toEqual([]); // the 404 is cached

        const live = await pages.action(page.id, 'publish', page.version);
        const res = await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(res.body.slug).toBe(page.slug);
        expect(await listed(page.slug)).toBe(true);
        await http().get(`/v1/pages/${page.slug}`).expect(200); // cached again (fast path)

        const down = await pages.action(page.id, 'unpublish', live.version);
        await http().get(`/v1/pages/${page.slug}`).expect(404);
        expect(await listed(page.slug)).toBe(false);
        const again = await pages.action(page.id, 'publish', down.version);
        await http().get(`/v1/pages/${page.slug}`).expect(200);
        await pages.action(page.id, 'archive', again.version);
        await http().get(`/v1/pages/${page.slug}`).expect(404);
      });

      it('a rename answers at once under both slugs: the new one 200, the old one 301', async () => {
        const pages = pagesClient(t.app);
        const page = await pages.createPublished();
        const slug = newSlug('renamed');
        await http().get(`/v1/pages/${page.slug}`).expect(200);
        await http().get(`/v1/pages/${slug}`).expect(404);
        await http()
          .patch(`/admin/v1/pages/${page.id}`)
          .set(auth)
          .set('If-Match', `"${page.version}"`)
          .send({ slug })
          .expect(200);
        await http().get(`/v1/pages/${slug}`).expect(200);
        const moved = await http().get(`/v1/pages/${page.slug}`).redirects(0).expect(301);
        expect(moved.headers.location).toBe(`/v1/pages/${slug}`);
        // Cached now, like a 404 (no database read); and never taken for a page by the fast path.
        recorder.clear();
        await http().get(`/v1/pages/${page.slug}`).redirects(0).expect(301);
        expect(
          recorder
            .on('pages')
            .filter((c) =>
              c.filters.some((f) => f.slug === page.slug || f.formerSlugs === page.slug),
            ),
        ).toEqual([]);
        expect(await listed(slug)).toBe(true);
        expect(await listed(page.slug)).toBe(false);
      });

      it('a scheduled unpublish cuts the cached copy’s lifetime at once, and once run by this pod answers 404 at once', async () => {
        const pages = pagesClient(t.app);
        const actions = pageActionsClient(t.app);
        const page = await pages.createPublished();
        const before = await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(before.headers['cache-control']).toContain('s-maxage=300');
        const action = await actions.schedule(page.id, { kind: 'unpublish', at: fromNow(1500) });
        const cut = await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(cut.headers['cache-control']).toMatch(/s-maxage=[0-2]\b/);
        await eventually(
          async () =>
            (await actions.get(action.body.id as string)).status === 'done' ? true : undefined,
          { timeoutMs: 10_000, what: 'the scheduled unpublish to run' },
        );
        await http().get(`/v1/pages/${page.slug}`).expect(404);
      });
    });
  });
});
