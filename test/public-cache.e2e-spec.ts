import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { startApp, type TestApp } from './support/app';
import { CommandRecorder } from './support/command-recorder';
import { newSlug } from './support/factories';
import { FerretDbProcess } from './support/ferretdb-process';
import { PagesService } from '../src/modules/pages/pages.service';
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
      expect(recorder.on('pages')).toEqual([]);
    });

    it('answers a fresh hit before the controller (fast path), exactly as the controller does', async () => {
      const page = await pagesClient(t.app).createPublished();
      const controllerRead = jest.spyOn(t.app.get(PagesService), 'publicPage');
      try {
        const miss = await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(controllerRead).toHaveBeenCalledTimes(1);
        const hit = await http().get(`/v1/pages/${page.slug}`).expect(200);
        const notModified = await http()
          .get(`/v1/pages/${page.slug}`)
          .set('If-None-Match', miss.headers.etag)
          .expect(304);
        const head = await http().head(`/v1/pages/${page.slug}`).expect(200);
        // The hits never reached PagesController (whose read goes through publicPage).
        expect(controllerRead).toHaveBeenCalledTimes(1);
        expect(hit.text).toBe(miss.text);
        const same = ['content-type', 'cache-control', 'etag', 'last-modified', 'content-length'];
        for (const name of same)
          expect([name, hit.headers[name]]).toEqual([name, miss.headers[name]]);
        expect(notModified.text).toBe('');
        expect(notModified.headers.etag).toBe(miss.headers.etag);
        expect(head.headers.etag).toBe(miss.headers.etag);
        expect(hit.headers['x-request-id']).toMatch(/\S/);
        // A cached "not found" still goes to the controller: the 404 in the error shape.
        await http().get('/v1/pages/no-such-page-either').expect(404);
        const again = await http().get('/v1/pages/no-such-page-either').expect(404);
        expect(again.body).toMatchObject({ statusCode: 404, error: 'PAGE_NOT_FOUND' });
        expect(controllerRead).toHaveBeenCalledTimes(3);
      } finally {
        controllerRead.mockRestore();
      }
    });
  });

  describe('with the database paused', () => {
    let db: FerretDbProcess;
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      db = await FerretDbProcess.start();
      t = await startApp({
        ...cacheOn,
        PUBLIC_CACHE_TTL_MS: '300',
        CDN_INVALIDATION_SETTLE_MS: '300',
        CACHE_STALE_IF_ERROR: '600',
        MONGODB_OPERATION_TIMEOUT_MS: '800',
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: '800',
        MONGODB_URI: db.uriFor(`cache_${newSlug('db').replace(/-/g, '_')}`),
      });
    });
    afterAll(async () => {
      db?.resume();
      await t?.close();
      await db?.destroy();
    });

    it('serves the last copy, marked stale, instead of a 503 (serve-stale-on-error)', async () => {
      const page = await pagesClient(t.app).createPublished();
      const fresh = await http().get(`/v1/pages/${page.slug}`).expect(200);
      await new Promise((r) => setTimeout(r, 400)); // past the TTL
      db.pause();
      try {
        const stale = await http().get(`/v1/pages/${page.slug}`).expect(200);
        expect(stale.text).toBe(fresh.text);
        expect(stale.headers.etag).toBe(fresh.headers.etag);
        expect(stale.headers['cache-control']).toMatch(/s-maxage=1\b/);
        expect(Number(stale.headers.age)).toBeGreaterThanOrEqual(0);
        // Never cached, so nothing to serve: the outage shows.
        await http().get('/v1/pages/never-read-before').expect(503);
      } finally {
        db.resume();
      }
    });
  });
});
