import request from 'supertest';
import { auth, startApp, type TestApp } from '../support/app';
import { fastWorkerEnv, invalidationsClient } from '../support/cache-invalidation';
import { createTestDistribution, motoEndpoint } from '../support/cloudfront-moto';
import { newPage, newSlug } from '../support/factories';
import { FerretDbProcess, waitFor } from '../support/ferretdb-process';
import { pagesClient } from '../support/pages-client';

/** How long one database operation may take in these tests (connect, select, each reply). */
const BOUND_MS = 1000;
const bounds = {
  MONGODB_OPERATION_TIMEOUT_MS: String(BOUND_MS),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(BOUND_MS),
};
/**
 * A request's bound on a hung database: a read is tried twice (the driver retries a read once
 * after a network error), each try waiting at most the selection bound for a connection and one
 * reply bound; plus room for a loaded 2-core machine.
 */
const REQUEST_BOUND_MS = 2 * (BOUND_MS + BOUND_MS) + 2000;

/**
 * A private FerretDB (the stack's binary) that these tests pause (SIGSTOP: a hung database that
 * keeps its sockets open) and kill (SIGKILL) without disturbing the shared one. Without bounded
 * operations a paused database stalls requests and worker ticks forever; without recognising
 * every driver network error, a write in flight at a kill is a 500.
 */
describe('database faults', () => {
  let db: FerretDbProcess;
  let distributionId: string;

  beforeAll(async () => {
    db = await FerretDbProcess.start();
    distributionId = await createTestDistribution();
  });
  afterAll(async () => {
    db?.resume();
    await db?.destroy();
  });

  describe('a paused database', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      t = await startApp({
        ...fastWorkerEnv(distributionId, motoEndpoint()),
        ...bounds,
        MONGODB_URI: db.uriFor(`paused_${newSlug('db').replace(/-/g, '_')}`),
      });
    });
    afterAll(async () => {
      db.resume();
      await t?.close();
    });

    it('answers 503 with Retry-After within the bound, and the CDN worker carries on after SIGCONT', async () => {
      const pages = pagesClient(t.app);
      const invalidations = invalidationsClient(t.app);
      const page = await pages.createPublished();

      db.pause();
      try {
        for (const path of [`/admin/v1/pages/${page.id}`, `/v1/pages/${page.slug}`]) {
          const started = Date.now();
          const res = await http().get(path).set(auth);
          const took = Date.now() - started;
          expect(res.status).toBe(503);
          expect(res.body).toMatchObject({
            error: 'DATABASE_UNAVAILABLE',
            requestId: expect.any(String),
          });
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(took).toBeLessThan(REQUEST_BOUND_MS);
        }
        // A crowd of reads (each a cache miss) meets the pool's queue for new connections, which
        // the workers' polls share: every request is still bounded, none waits its turn in line.
        const crowd = await Promise.all(
          Array.from({ length: 24 }, async (_, i) => {
            const started = Date.now();
            const res = await http().get(`/v1/pages/${page.slug}-crowd-${i}`);
            return { status: res.status, took: Date.now() - started };
          }),
        );
        expect(crowd.map((r) => r.status)).toEqual(crowd.map(() => 503));
        expect(Math.max(...crowd.map((r) => r.took))).toBeLessThan(REQUEST_BOUND_MS);
        // Let the worker's polls run into the paused database for a while.
        await new Promise((r) => setTimeout(r, 2 * BOUND_MS));
      } finally {
        db.resume();
      }

      // After SIGCONT the service and its worker resume by themselves.
      const res = await http()
        .post(`/admin/v1/pages/${page.id}/unpublish`)
        .set(auth)
        .set('If-Match', `"${page.version}"`)
        .set('x-request-id', 'after-pause-unpublish');
      if (res.status === 503) {
        // the first request after SIGCONT may still meet a pool being rebuilt: retry once
        await new Promise((r) => setTimeout(r, BOUND_MS));
        await http()
          .post(`/admin/v1/pages/${page.id}/unpublish`)
          .set(auth)
          .set('If-Match', `"${page.version}"`)
          .set('x-request-id', 'after-pause-unpublish')
          .expect(200);
      } else expect(res.status).toBe(200);
      const sent = await invalidations.settled('after-pause-unpublish', 'completed');
      expect(sent.paths).toContain(`/v1/pages/${page.slug}*`);
    });
  });

  describe('a killed and restarted database', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());

    beforeAll(async () => {
      t = await startApp({
        ...bounds,
        MONGODB_URI: db.uriFor(`killed_${newSlug('db').replace(/-/g, '_')}`),
      });
    });
    afterAll(async () => t?.close());

    it('never answers 500 while it is down, loses nothing acknowledged, and recovers on restart', async () => {
      const bodies = Array.from({ length: 48 }, () => newPage());
      const statuses = new Map<string, number>();
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const res = await http().post('/admin/v1/pages').set(auth).send(body);
          statuses.set(body.slug as string, res.status);
          if (res.status === 503) expect(res.body.error).toBe('DATABASE_UNAVAILABLE');
        }
      };
      const writers = Promise.all([worker(), worker(), worker()]);
      // Kill the database while creates are in flight, bring it back two seconds later.
      while (statuses.size < 10) await new Promise((r) => setTimeout(r, 10));
      await db.kill();
      await new Promise((r) => setTimeout(r, 2000));
      await db.start();
      await writers;

      const counts = [...statuses.values()].reduce<Record<number, number>>(
        (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
        {},
      );
      expect(Object.keys(counts).map(Number).sort()).toEqual(expect.arrayContaining([201]));
      for (const status of Object.keys(counts).map(Number)) expect([201, 503]).toContain(status);

      // Everything acknowledged is there; nothing that was never attempted is.
      const stored = new Set<string>();
      let cursor: string | null = null;
      do {
        const res: request.Response = await http()
          .get('/admin/v1/pages')
          .query({ limit: 100, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        for (const item of res.body.items as { slug: string }[]) stored.add(item.slug);
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      for (const [slug, status] of statuses) if (status === 201) expect(stored).toContain(slug);
      for (const slug of stored) expect(statuses.has(slug)).toBe(true);
    });
  });
});

describe('readiness around a database outage', () => {
  let db: FerretDbProcess;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await FerretDbProcess.start();
    t = await startApp({
      MONGODB_URI: db.uri,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
      HEALTH_DB_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    try {
      await db?.start(); // the app drops its database on close
      await t?.close();
    } finally {
      await db?.destroy();
    }
  });

  const readyStatus = async () => (await http().get('/health/ready')).status;

  it('goes 503 while the database is down, serves 503 errors, and recovers when it returns', async () => {
    const page = await pagesClient(t.app).createPublished();
    expect(await readyStatus()).toBe(200);

    await db.stop();
    await waitFor(async () => (await readyStatus()) === 503, 15_000, 'readiness to fail');
    const report = await http().get('/health/ready').expect(503);
    expect(report.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    await http().get('/health/live').expect(200);

    const unavailable = await http().get(`/v1/pages/${page.slug}`).expect(503);
    expect(unavailable.body).toMatchObject({ statusCode: 503, error: 'DATABASE_UNAVAILABLE' });
    expect(JSON.stringify(unavailable.body)).not.toMatch(/stack|at \//);

    await db.start();
    await waitFor(async () => (await readyStatus()) === 200, 30_000, 'readiness to recover');
    const back = await http().get(`/v1/pages/${page.slug}`).expect(200);
    expect(back.body.slug).toBe(page.slug);
    await http().get(`/admin/v1/pages/${page.id}`).set(auth).expect(200);
  });
});

describe('the public cache with the database paused', () => {
  let db: FerretDbProcess;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await FerretDbProcess.start();
    t = await startApp({
      PUBLIC_CACHE_TTL_MS: '300',
      MONGODB_REPLICA_LAG_ALLOWANCE_MS: '0',
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
